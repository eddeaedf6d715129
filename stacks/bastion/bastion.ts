/**
 * The bastion: a small instance in a public subnet whose only job is SSH port-forwarding to the database
 * (and SSM Session Manager port-forwarding, which needs no open port). Keys are read from SSM at each login.
 */
import { readFileSync } from 'node:fs';
import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  AUTHORIZED_KEYS_INSTALL_PATH,
  AUTHORIZED_KEYS_SCRIPT,
  BASTION_CONF_PATH,
  renderBastionConf,
  renderSshdConfig,
} from './sshd-config';

/** Props of {@link Bastion}. */
export interface BastionProps {
  readonly vpc: ec2.IVpc;
  /** The public subnet it lives in. */
  readonly subnet: ec2.ISubnet;
  /** An arm64 instance type, e.g. `t4g.nano`. */
  readonly instanceType: string;
  /** Blocks that may reach port 22; empty means SSM Session Manager only. */
  readonly allowedSshCidrs: readonly string[];
  /** The port-forwarding-only account. */
  readonly tunnelUser: string;
  /** SSM path under which each authorized key is one parameter (ends with `/`). */
  readonly keysParameterPath: string;
  /** `host:port` destinations the tunnel may open (the database endpoints). */
  readonly permitOpen: readonly string[];
}

/** The bastion instance and its security group. */
export class Bastion extends Construct {
  readonly instance: ec2.Instance;
  readonly securityGroup: ec2.SecurityGroup;
  /** The bastion's public IPv4 address (an Elastic IP: it survives an instance replacement). */
  readonly publicAddress: string;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    if (!props.keysParameterPath.startsWith('/') || !props.keysParameterPath.endsWith('/')) {
      throw new Error(`Bastion keysParameterPath must start and end with /, got ${props.keysParameterPath}`);
    }
    const { region, account, partition } = Stack.of(this);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Bastion: SSH from the allowed blocks; out to the database and AWS APIs only',
      allowAllOutbound: false,
    });
    for (const cidr of props.allowedSshCidrs) {
      this.securityGroup.addIngressRule(
        ec2.Peer.ipv4(cidr),
        ec2.Port.tcp(22),
        'SSH port-forwarding from an allowed block',
      );
    }
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'SSM, Parameter Store and package updates over HTTPS',
    );

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Bastion: Session Manager, and reading the tunnel keys',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    const keysPath = props.keysParameterPath.replace(/\/$/, '');
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParametersByPath'],
        resources: [
          `arn:${partition}:ssm:${region}:${account}:parameter${keysPath}`,
          `arn:${partition}:ssm:${region}:${account}:parameter${keysPath}/*`,
        ],
      }),
    );

    const userData = ec2.UserData.forLinux();
    userData.addCommands(
      'set -euo pipefail',
      'install -d -m 0755 -o root -g root /etc/wheelhouse',
      heredoc(AUTHORIZED_KEYS_INSTALL_PATH, readFileSync(AUTHORIZED_KEYS_SCRIPT, 'utf8')),
      `chown root:root ${AUTHORIZED_KEYS_INSTALL_PATH} && chmod 0755 ${AUTHORIZED_KEYS_INSTALL_PATH}`,
      heredoc(
        BASTION_CONF_PATH,
        renderBastionConf({
          tunnelUser: props.tunnelUser,
          keysParameterPath: props.keysParameterPath,
          region,
          awsCli: '/usr/bin/aws',
        }),
      ),
      `chmod 0644 ${BASTION_CONF_PATH}`,
      // No shell, no password, no home, no sudo: the account exists only to own port-forwards.
      `id -u ${props.tunnelUser} >/dev/null 2>&1 || useradd --system --shell /usr/sbin/nologin --no-create-home -p '*' ${props.tunnelUser}`,
      heredoc(
        '/etc/ssh/sshd_config.d/00-wheelhouse-tunnel.conf',
        renderSshdConfig({ tunnelUser: props.tunnelUser, permitOpen: props.permitOpen }),
      ),
      'sshd -t',
      'systemctl restart sshd',
    );

    this.instance = new ec2.Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [props.subnet] },
      instanceType: new ec2.InstanceType(props.instanceType),
      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
      securityGroup: this.securityGroup,
      role,
      userData,
      // A changed script or sshd setting must reach the host: replace it rather than drift.
      userDataCausesReplacement: true,
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
        },
      ],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason: 'AmazonSSMManagedInstanceCore is the documented minimum for Session Manager port-forwarding.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${region}:${account}:parameter${keysPath}/*]`,
      reason:
        "Each authorized key is its own parameter under the environment's keys path; the bastion reads that path only.",
    });
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions::AwsSolutions-EC29',
      reason:
        'The bastion holds no state and is replaced on every change of its setup; termination protection would block that.',
    });
    const address = new ec2.CfnEIP(this, 'Address', { domain: 'vpc', instanceId: this.instance.instanceId });
    this.publicAddress = address.attrPublicIp;
  }
}

/** A shell line that writes `content` to `path` verbatim (quoted delimiter: no expansion). */
function heredoc(path: string, content: string): string {
  const marker = 'WHEELHOUSE_EOF';
  if (content.includes(marker)) throw new Error(`file for ${path} contains the heredoc marker ${marker}`);
  return `cat > ${path} <<'${marker}'\n${content.replace(/\n$/, '')}\n${marker}`;
}
