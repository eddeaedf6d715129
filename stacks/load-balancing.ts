/**
 * Load balancing for the dual-protocol service: an ALB for HTTP (HTTPS with a redirect when there is a
 * certificate) and gRPC on 9000 that really works: an ALB gRPC target group behind HTTPS when there is
 * a certificate, otherwise an NLB passing TCP straight to the task's gRPC port.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The port clients use for gRPC on the load balancer. */
export const GRPC_LISTENER_PORT = 9000;

/** Props of {@link LoadBalancing}. */
export interface LoadBalancingProps {
  readonly vpc: ec2.IVpc;
  /** Public subnets the load balancers live in. */
  readonly subnets: ec2.ISubnet[];
  /** The service's HTTP port in the task. */
  readonly httpPort: number;
  /** The service's gRPC port in the task. */
  readonly grpcPort: number;
  /** ACM certificate ARN; without one there is no HTTPS and gRPC goes through an NLB. @default none */
  readonly certificateArn?: string;
  /** Bucket for access logs. */
  readonly accessLogs: s3.IBucket;
  /** Seconds a deregistering target keeps its connections: keep below the task's stop timeout. */
  readonly deregistrationDelaySeconds: number;
}

/** The load balancers, their listeners and target groups. */
export class LoadBalancing extends Construct {
  readonly alb: elbv2.ApplicationLoadBalancer;
  /** Present when there is no certificate: gRPC goes through it. */
  readonly nlb: elbv2.NetworkLoadBalancer | null;
  readonly httpTargetGroup: elbv2.ApplicationTargetGroup;
  /** ALB gRPC target group (with a certificate) or NLB TCP target group (without). */
  readonly grpcTargetGroup: elbv2.ApplicationTargetGroup | elbv2.NetworkTargetGroup;
  /** Security groups of the load balancers, for the service to allow from. */
  readonly securityGroups: ec2.SecurityGroup[];
  /** `http://…` or `https://…` of the API. */
  readonly httpEndpoint: string;
  /** `host:9000` of the gRPC API. */
  readonly grpcEndpoint: string;

  constructor(scope: Construct, id: string, props: LoadBalancingProps) {
    super(scope, id);
    const albSg = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc: props.vpc,
      description: 'Internet to the ALB on the listener ports only',
      allowAllOutbound: false,
    });
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      vpcSubnets: { subnets: props.subnets },
      internetFacing: true,
      securityGroup: albSg,
      dropInvalidHeaderFields: true,
      http2Enabled: true,
    });
    this.alb.logAccessLogs(props.accessLogs, 'alb');
    Validations.of(albSg).acknowledge({
      id: 'AwsSolutions::AwsSolutions-EC23',
      reason: 'An internet-facing load balancer: only the listener ports are open to the internet.',
    });
    this.securityGroups = [albSg];

    const deregistrationDelay = Duration.seconds(props.deregistrationDelaySeconds);
    // Every target group checks liveness only, never the database (`/healthz`, and grpc.health.v1, whose
    // status follows the drain only): ECS replaces a task its load balancer finds unhealthy, and a database
    // outage is no reason to replace every task. The service answers 503/UNAVAILABLE fast meanwhile, and
    // `/readyz` (which pings the database) is for people and probes that may wait, not for the balancers.
    this.httpTargetGroup = new elbv2.ApplicationTargetGroup(this, 'HttpTargets', {
      vpc: props.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: props.httpPort,
      deregistrationDelay,
      healthCheck: {
        path: '/healthz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    if (props.certificateArn) {
      const certificate = acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn);
      this.alb.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultTargetGroups: [this.httpTargetGroup],
      });
      this.alb.addRedirect({
        sourcePort: 80,
        sourceProtocol: elbv2.ApplicationProtocol.HTTP,
        targetPort: 443,
      });
      // ALB speaks gRPC only on an HTTPS listener; a GRPC target group behind plain HTTP never routes.
      const grpcTargets = new elbv2.ApplicationTargetGroup(this, 'GrpcTargets', {
        vpc: props.vpc,
        targetType: elbv2.TargetType.IP,
        protocol: elbv2.ApplicationProtocol.HTTP,
        protocolVersion: elbv2.ApplicationProtocolVersion.GRPC,
        port: props.grpcPort,
        deregistrationDelay,
        healthCheck: {
          path: '/grpc.health.v1.Health/Check',
          healthyGrpcCodes: '0',
          interval: Duration.seconds(10),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
      });
      this.alb.addListener('Grpc', {
        port: GRPC_LISTENER_PORT,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultTargetGroups: [grpcTargets],
      });
      this.grpcTargetGroup = grpcTargets;
      this.nlb = null;
      this.httpEndpoint = `https://${this.alb.loadBalancerDnsName}`;
      this.grpcEndpoint = `${this.alb.loadBalancerDnsName}:${GRPC_LISTENER_PORT}`;
    } else {
      this.alb.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultTargetGroups: [this.httpTargetGroup],
      });
      const nlbSg = new ec2.SecurityGroup(this, 'NlbSecurityGroup', {
        vpc: props.vpc,
        description: 'Internet to the NLB on the gRPC port only',
        allowAllOutbound: false,
      });
      nlbSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(GRPC_LISTENER_PORT), 'gRPC clients');
      Validations.of(nlbSg).acknowledge({
        id: 'AwsSolutions::AwsSolutions-EC23',
        reason: 'An internet-facing load balancer: only the gRPC port is open to the internet.',
      });
      const nlb = new elbv2.NetworkLoadBalancer(this, 'Nlb', {
        vpc: props.vpc,
        vpcSubnets: { subnets: props.subnets },
        internetFacing: true,
        crossZoneEnabled: true,
        securityGroups: [nlbSg],
      });
      nlb.logAccessLogs(props.accessLogs, 'nlb');
      // An NLB cannot speak gRPC health checking: it asks the same task's HTTP liveness endpoint instead.
      // Not /readyz, which pings the database: an Aurora failover longer than the unhealthy threshold
      // (3 x 10 s) would mark every task unhealthy, and ECS replaces unhealthy targets' tasks, all at once.
      const grpcTargets = new elbv2.NetworkTargetGroup(this, 'GrpcTargets', {
        vpc: props.vpc,
        targetType: elbv2.TargetType.IP,
        protocol: elbv2.Protocol.TCP,
        port: props.grpcPort,
        deregistrationDelay,
        healthCheck: {
          protocol: elbv2.Protocol.HTTP,
          port: String(props.httpPort),
          path: '/healthz',
          // The NLB's default is 200-399; the service answers exactly 200 when alive.
          healthyHttpCodes: '200',
          interval: Duration.seconds(10),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
      });
      nlb.addListener('Grpc', {
        port: GRPC_LISTENER_PORT,
        protocol: elbv2.Protocol.TCP,
        defaultTargetGroups: [grpcTargets],
      });
      this.grpcTargetGroup = grpcTargets;
      this.nlb = nlb;
      this.securityGroups.push(nlbSg);
      this.httpEndpoint = `http://${this.alb.loadBalancerDnsName}`;
      this.grpcEndpoint = `${nlb.loadBalancerDnsName}:${GRPC_LISTENER_PORT}`;
    }
  }
}
