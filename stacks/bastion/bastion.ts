/**
 * The bastion: a small instance in a public subnet whose only job is SSH port-forwarding to the database
 * (and SSM Session Manager port-forwarding, which needs no open port). Keys are read from SSM at each login.
 *
 * Session Manager: the agent's `ssm-user` gets no sudo (the user exists before the agent's first session,
 * and its sudoers file is removed), the instance role holds only what the agent needs to register and
 * open session channels, and {@link Bastion.sessionPolicy} is the one grant of `ssm:StartSession` on it:
 * the two port-forwarding session documents only, never a shell.
 */
import { readFileSync } from 'node:fs';
import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { nagWildcardId } from '../nag-ids';
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
  /** The pinned AMI id in the stack's region (Amazon Linux 2023, arm64). */
  readonly ami: string;
  /** SSM parameter (a name, starting with `/`) where the instance publishes its SSH host public keys. */
  readonly hostKeysParameterName: string;
}

/**
 * The session documents a person may start on the bastion: port forwarding to the instance or, through
 * it, to a remote host (the database). Not SSM-SessionManagerRunShell, AWS-StartSSHSession or the
 * interactive-command documents. AWS docs, "Start a session with a document by specifying the session
 * documents in IAM policies" and "Quickstart end user policies for Session Manager".
 */
export const PORT_FORWARDING_DOCUMENTS = [
  'AWS-StartPortForwardingSession',
  'AWS-StartPortForwardingSessionToRemoteHost',
] as const;

/** The sudoers drop-in SSM Agent writes for ssm-user (AWS docs, "Turn on or turn off ssm-user account administrative permissions"). */
export const SSM_AGENT_SUDOERS_FILE = '/etc/sudoers.d/ssm-agent-users';

/**
 * Actions SSM Agent needs for Session Manager that accept no resource but `*` (AWS docs, "Create a custom
 * IAM instance profile for Session Manager" / "Step 2: Verify or add instance permissions for Session
 * Manager"): registering the node and opening the session's control and data channels. The same five
 * actions are the whole of the AWS managed policy AWSCloud9SSMInstanceProfile, made for Session Manager only.
 */
export const SESSION_MANAGER_AGENT_ACTIONS = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
] as const;

/** The bastion instance and its security group. */
export class Bastion extends Construct {
  readonly instance: ec2.Instance;
  readonly securityGroup: ec2.SecurityGroup;
  /**
   * The grant to open a Session Manager tunnel through this bastion: `ssm:StartSession` on this instance
   * with the port-forwarding documents only (`ssm:SessionDocumentAccessCheck`), and ending or resuming
   * one's own sessions. Attach it to the people's roles (permission sets) instead of `ssm:StartSession`.
   */
  readonly sessionPolicy: iam.ManagedPolicy;
  /** The bastion's public IPv4 address (an Elastic IP: it survives an instance replacement). */
  readonly publicAddress: string;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    if (!props.keysParameterPath.startsWith('/') || !props.keysParameterPath.endsWith('/')) {
      throw new Error(`Bastion keysParameterPath must start and end with /, got ${props.keysParameterPath}`);
    }
    if (!props.hostKeysParameterName.startsWith('/') || props.hostKeysParameterName.endsWith('/')) {
      throw new Error(
        `Bastion hostKeysParameterName must be a parameter name, got ${props.hostKeysParameterName}`,
      );
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
      description: 'Bastion: Session Manager channels, reading the tunnel keys, publishing its host keys',
    });
    const parameterArn = (name: string) => `arn:${partition}:ssm:${region}:${account}:parameter${name}`;
    const keysPath = props.keysParameterPath.replace(/\/$/, '');
    const statements: { readonly sid: string; readonly actions: string[]; readonly resources: string[] }[] = [
      // Not AmazonSSMManagedInstanceCore: that one also reads every parameter of the account
      // (ssm:GetParameter(s) on *) and runs any Run Command document (ec2messages).
      { sid: 'SessionManagerAgent', actions: [...SESSION_MANAGER_AGENT_ACTIONS], resources: ['*'] },
      // authorized-keys-command.sh: get-parameters-by-path under the keys path, nothing else.
      {
        sid: 'ReadTunnelKeys',
        actions: ['ssm:GetParametersByPath'],
        resources: [parameterArn(keysPath), parameterArn(`${keysPath}/*`)],
      },
      // User data: the host public keys, for /tunnel to show their fingerprints.
      {
        sid: 'PublishHostKeys',
        actions: ['ssm:PutParameter'],
        resources: [parameterArn(props.hostKeysParameterName)],
      },
    ];
    for (const statement of statements) role.addToPolicy(new iam.PolicyStatement(statement));

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
      // Session Manager: ssm-user exists before the agent's first session, so the agent does not add it to
      // sudoers (it writes its sudoers file only when it creates the user); and any such file goes.
      'id -u ssm-user >/dev/null 2>&1 || useradd --create-home --shell /bin/bash ssm-user',
      `rm -f ${SSM_AGENT_SUDOERS_FILE}`,
      // No shell, no password, no home, no sudo: the account exists only to own port-forwards.
      `id -u ${props.tunnelUser} >/dev/null 2>&1 || useradd --system --shell /usr/sbin/nologin --no-create-home -p '*' ${props.tunnelUser}`,
      heredoc(
        '/etc/ssh/sshd_config.d/00-wheelhouse-tunnel.conf',
        renderSshdConfig({ tunnelUser: props.tunnelUser, permitOpen: props.permitOpen }),
      ),
      'sshd -t',
      'systemctl restart sshd',
      // The host public keys (type and key, no comment) for /tunnel; a failure here must not stop the tunnel.
      'ssh-keygen -A',
      `host_keys=$(for f in /etc/ssh/ssh_host_ed25519_key.pub /etc/ssh/ssh_host_ecdsa_key.pub /etc/ssh/ssh_host_rsa_key.pub; do if [ -r "$f" ]; then cut -d' ' -f1,2 "$f"; fi; done)`,
      `/usr/bin/aws ssm put-parameter --region ${region} --name ${props.hostKeysParameterName} --type String --overwrite --value "$host_keys" >/dev/null || echo "wheelhouse: publishing the host keys to ${props.hostKeysParameterName} failed" >&2`,
    );

    this.instance = new ec2.Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [props.subnet] },
      instanceType: new ec2.InstanceType(props.instanceType),
      // Pinned: a new AMI replaces the instance and its host keys, so it changes only with the configuration.
      machineImage: ec2.MachineImage.genericLinux({ [region]: props.ami }),
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
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: `Only Session Manager agent actions without resource-level permissions: ${SESSION_MANAGER_AGENT_ACTIONS.join(', ')}.`,
    });
    Validations.of(role).acknowledge({
      id: nagWildcardId(this, parameterArn(`${keysPath}/*`)),
      reason:
        "Each authorized key is its own parameter under the environment's keys path; the bastion reads that path only.",
    });
    Validations.of(this.instance).acknowledge({
      id: 'CloudFormation-Validate::W9010',
      reason:
        'The AMI is pinned on purpose (bastion.ami of the environment, in its region): a parameter resolved at deploy would replace the instance and its host keys whenever Amazon Linux releases.',
    });
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions::AwsSolutions-EC29',
      reason:
        'The bastion holds no state and is replaced on every change of its setup; termination protection would block that.',
    });
    this.sessionPolicy = new iam.ManagedPolicy(this, 'SessionPolicy', {
      description: `Session Manager port forwarding through the ${Stack.of(this).stackName} bastion, nothing else`,
      statements: [
        new iam.PolicyStatement({
          sid: 'PortForwardingOnly',
          actions: ['ssm:StartSession'],
          resources: [
            `arn:${partition}:ec2:${region}:${account}:instance/${this.instance.instanceId}`,
            ...PORT_FORWARDING_DOCUMENTS.map((d) => `arn:${partition}:ssm:${region}::document/${d}`),
          ],
          // Without it, StartSession on the instance alone would also allow the default shell document.
          conditions: { BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } },
        }),
        new iam.PolicyStatement({
          sid: 'OwnSessions',
          actions: ['ssm:TerminateSession', 'ssm:ResumeSession'],
          resources: [`arn:${partition}:ssm:*:${account}:session/\${aws:userid}-*`],
        }),
      ],
    });
    Validations.of(this.sessionPolicy).acknowledge({
      // cdk-nag writes the policy variable ${aws:userid} as <aws:userid>.
      id: nagWildcardId(this, `arn:${partition}:ssm:*:${account}:session/<aws:userid>-*`),
      reason: 'A person may end or resume only the sessions they started (their own user id prefix).',
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
