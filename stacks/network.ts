/** The VPC: public, private app and data tiers, NAT, network ACLs between tiers, and flow logs. */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** One subnet to create: its zone and block. */
export interface SubnetSpec {
  readonly az: string;
  readonly cidr: string;
}

/** Props of {@link Network}. */
export interface NetworkProps {
  /** The VPC's IPv4 block. */
  readonly cidr: string;
  /** Two public subnets (load balancers, NAT gateways, bastion). */
  readonly publicSubnets: readonly SubnetSpec[];
  /** Two private app subnets (the service's tasks), routed out through NAT. */
  readonly appSubnets: readonly SubnetSpec[];
  /** Three isolated data subnets (Aurora): no route out at all. */
  readonly dataSubnets: readonly SubnetSpec[];
  /** 2 = one NAT gateway per public subnet (survives an AZ outage); 1 = a single shared one (cheaper). */
  readonly natGateways: 1 | 2;
  /** Ports the internet may reach on the load balancers (80, 443, the gRPC port). */
  readonly publicIngressPorts: readonly number[];
  /** Ports the public tier (load balancers) may reach in the app tier: the service's HTTP and gRPC ports. */
  readonly servicePorts: readonly number[];
  /** Source blocks that may reach the bastion on port 22; empty means SSM only. */
  readonly sshCidrs: readonly string[];
  /** The database port. */
  readonly databasePort: number;
  /** The message broker's port, opened from the app tier to the data tier only. @default no broker rules */
  readonly brokerPort?: number;
  /** Days to keep VPC flow logs. */
  readonly flowLogRetentionDays: number;
}

/** Return traffic of TCP connections lands on these ports (load balancers use the whole range). */
const EPHEMERAL = ec2.AclTraffic.tcpPortRange(1024, 65535);
const ANYWHERE = ec2.AclCidr.anyIpv4();

/**
 * A VPC laid out by hand rather than by `ec2.Vpc`'s symmetric subnet groups, because the tiers span
 * different zones: public and app in 2 AZs, data in 3.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly publicSubnets: ec2.PublicSubnet[];
  readonly appSubnets: ec2.PrivateSubnet[];
  readonly dataSubnets: ec2.PrivateSubnet[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    if (props.publicSubnets.length !== 2 || props.appSubnets.length !== 2 || props.dataSubnets.length !== 3) {
      throw new Error(
        `Network needs 2 public, 2 app and 3 data subnets, got ${props.publicSubnets.length}, ${props.appSubnets.length} and ${props.dataSubnets.length}`,
      );
    }
    const zones = [
      ...new Set([...props.publicSubnets, ...props.appSubnets, ...props.dataSubnets].map((s) => s.az)),
    ];
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: zones,
      subnetConfiguration: [],
      natGateways: 0,
      createInternetGateway: false,
      enableDnsHostnames: true,
      enableDnsSupport: true,
    });

    const igw = new ec2.CfnInternetGateway(this, 'InternetGateway');
    const attachment = new ec2.CfnVPCGatewayAttachment(this, 'InternetGatewayAttachment', {
      vpcId: this.vpc.vpcId,
      internetGatewayId: igw.ref,
    });

    this.publicSubnets = props.publicSubnets.map((spec, i) => {
      const subnet = new ec2.PublicSubnet(this, `Public${i + 1}`, {
        vpcId: this.vpc.vpcId,
        availabilityZone: spec.az,
        cidrBlock: spec.cidr,
        mapPublicIpOnLaunch: false,
      });
      subnet.addDefaultInternetRoute(igw.ref, attachment);
      return subnet;
    });
    const nats = this.publicSubnets.slice(0, props.natGateways).map((subnet) => subnet.addNatGateway());

    this.appSubnets = props.appSubnets.map((spec, i) => {
      const subnet = new ec2.PrivateSubnet(this, `App${i + 1}`, {
        vpcId: this.vpc.vpcId,
        availabilityZone: spec.az,
        cidrBlock: spec.cidr,
      });
      // Each app subnet leaves through the NAT gateway in its own zone when there is one.
      subnet.addDefaultNatRoute((nats[i] ?? nats[0]!).ref);
      return subnet;
    });
    this.dataSubnets = props.dataSubnets.map(
      (spec, i) =>
        new ec2.PrivateSubnet(this, `Data${i + 1}`, {
          vpcId: this.vpc.vpcId,
          availabilityZone: spec.az,
          cidrBlock: spec.cidr,
        }),
    );

    this.addNetworkAcls(props);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-VPC3',
      reason:
        'The tier-to-tier network ACLs are deliberate (defense in depth under the security groups) and tested rule by rule.',
    });

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
  }

  /**
   * Tier-to-tier rules: public ↔ app on the service ports, app → data and bastion → data on the database port,
   * and app → data on the broker port when there is one.
   */
  private addNetworkAcls(props: NetworkProps): void {
    const publicCidrs = props.publicSubnets.map((s) => s.cidr);
    const appCidrs = props.appSubnets.map((s) => s.cidr);
    const dataCidrs = props.dataSubnets.map((s) => s.cidr);
    const db = ec2.AclTraffic.tcpPort(props.databasePort);
    // Broker rules come after every other rule of their list, so turning the broker on or off never renumbers
    // the others. Its replies ride the ephemeral-port rules that database replies already use.
    const { brokerPort } = props;
    const toBroker = (cidrs: readonly string[]): Rule[] =>
      brokerPort === undefined
        ? []
        : cidrs.map((cidr): Rule => [ec2.AclCidr.ipv4(cidr), ec2.AclTraffic.tcpPort(brokerPort)]);

    const publicAcl = this.acl('PublicAcl', this.publicSubnets);
    const ingressPublic: Rule[] = [
      ...props.publicIngressPorts.map((port): Rule => [ANYWHERE, ec2.AclTraffic.tcpPort(port)]),
      ...props.sshCidrs.map((cidr): Rule => [ec2.AclCidr.ipv4(cidr), ec2.AclTraffic.tcpPort(22)]),
      // Outbound HTTPS of the app tier passes the NAT gateway, which lives here.
      ...appCidrs.map((cidr): Rule => [ec2.AclCidr.ipv4(cidr), ec2.AclTraffic.tcpPort(443)]),
      [ANYWHERE, EPHEMERAL],
    ];
    const egressPublic: Rule[] = [
      ...appCidrs.flatMap((cidr) =>
        props.servicePorts.map((port): Rule => [ec2.AclCidr.ipv4(cidr), ec2.AclTraffic.tcpPort(port)]),
      ),
      ...dataCidrs.map((cidr): Rule => [ec2.AclCidr.ipv4(cidr), db]),
      [ANYWHERE, ec2.AclTraffic.tcpPort(443)],
      [ANYWHERE, EPHEMERAL],
    ];
    this.rules(publicAcl, ec2.TrafficDirection.INGRESS, ingressPublic);
    this.rules(publicAcl, ec2.TrafficDirection.EGRESS, egressPublic);

    const appAcl = this.acl('AppAcl', this.appSubnets);
    this.rules(appAcl, ec2.TrafficDirection.INGRESS, [
      ...publicCidrs.flatMap((cidr) =>
        props.servicePorts.map((port): Rule => [ec2.AclCidr.ipv4(cidr), ec2.AclTraffic.tcpPort(port)]),
      ),
      [ANYWHERE, EPHEMERAL],
    ]);
    this.rules(appAcl, ec2.TrafficDirection.EGRESS, [
      ...dataCidrs.map((cidr): Rule => [ec2.AclCidr.ipv4(cidr), db]),
      [ANYWHERE, ec2.AclTraffic.tcpPort(443)],
      ...publicCidrs.map((cidr): Rule => [ec2.AclCidr.ipv4(cidr), EPHEMERAL]),
      ...toBroker(dataCidrs),
    ]);

    const dataAcl = this.acl('DataAcl', this.dataSubnets);
    this.rules(dataAcl, ec2.TrafficDirection.INGRESS, [
      ...[...appCidrs, ...publicCidrs].map((cidr): Rule => [ec2.AclCidr.ipv4(cidr), db]),
      ...toBroker(appCidrs),
    ]);
    this.rules(
      dataAcl,
      ec2.TrafficDirection.EGRESS,
      [...appCidrs, ...publicCidrs].map((cidr): Rule => [ec2.AclCidr.ipv4(cidr), EPHEMERAL]),
    );
  }

  private acl(id: string, subnets: ec2.ISubnet[]): ec2.NetworkAcl {
    return new ec2.NetworkAcl(this, id, { vpc: this.vpc, subnetSelection: { subnets } });
  }

  private rules(acl: ec2.NetworkAcl, direction: ec2.TrafficDirection, rules: readonly Rule[]): void {
    const prefix = direction === ec2.TrafficDirection.INGRESS ? 'In' : 'Out';
    rules.forEach(([cidr, traffic], i) => {
      acl.addEntry(`${prefix}${i + 1}`, {
        cidr,
        traffic,
        direction,
        ruleNumber: 100 + i * 10,
        ruleAction: ec2.Action.ALLOW,
      });
    });
  }
}

type Rule = readonly [ec2.AclCidr, ec2.AclTraffic];
