import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { ConfigError, STACK_OUTPUTS } from '../../config';
import { parseBastionHostKeys } from '../../ops/bastion-host-keys';
import { renderSshdConfig } from '../../stacks/bastion/sshd-config';
import { exampleConfig } from '../support/example-config';
import { flatten, roleStatements } from '../support/iam-policies';
import { ensureOpenSsh } from '../support/openssh';
import { synthTemplates } from '../support/synth';

describe('Bastion', () => {
  const templates = synthTemplates(exampleConfig());
  const prod = templates.prod!;
  const userData = JSON.stringify(
    (Object.values(prod.findResources('AWS::EC2::Instance'))[0] as { Properties: { UserData: unknown } })
      .Properties.UserData,
  );

  it('is a small arm64 instance with IMDSv2 and an encrypted disk', () => {
    prod.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.nano',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true }) }],
    });
    prod.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } },
    });
  });

  it('sits in a public subnet with a stable public address', () => {
    prod.hasResourceProperties('AWS::EC2::Instance', {
      SubnetId: { Ref: Match.stringLikeRegexp('NetworkPublic1') },
    });
    prod.hasResourceProperties('AWS::EC2::EIP', {
      InstanceId: { Ref: Match.stringLikeRegexp('BastionInstance') },
    });
  });

  it('accepts SSH only from the configured blocks', () => {
    prod.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Bastion'),
      SecurityGroupIngress: [
        {
          CidrIp: '203.0.113.0/24',
          FromPort: 22,
          ToPort: 22,
          IpProtocol: 'tcp',
          Description: Match.anyValue(),
        },
      ],
    });
  });

  it('has no SSH ingress at all when no block is configured (Session Manager only)', () => {
    const ssmOnly = synthTemplates(
      exampleConfig((raw) => {
        raw.environments.dev.bastion = { allowedSshCidrs: [] };
      }),
      ['dev'],
    ).dev!;
    ssmOnly.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Bastion'),
      SecurityGroupIngress: Match.absent(),
    });
  });

  // AWS docs: "Step 2: Verify or add instance permissions for Session Manager" (a custom instance profile
  // with ssm:UpdateInstanceInformation and the four ssmmessages actions, instead of
  // AmazonSSMManagedInstanceCore, which also allows ssm:GetParameter(s) on every parameter and Run Command).
  // Reading the synthesized policy is the check: moto and our fake account do not evaluate IAM conditions.
  it('has only the Session Manager channel actions, reads only its keys path and writes only its host-keys parameter', () => {
    const role = Object.keys(prod.findResources('AWS::IAM::Role')).find((id) =>
      id.startsWith('BastionRole'),
    )!;
    expect(prod.toJSON().Resources[role].Properties.ManagedPolicyArns).toBeUndefined();
    expect(roleStatements(prod, role)).toEqual([
      {
        sid: 'SessionManagerAgent',
        effect: 'Allow',
        actions: [
          'ssm:UpdateInstanceInformation',
          'ssmmessages:CreateControlChannel',
          'ssmmessages:CreateDataChannel',
          'ssmmessages:OpenControlChannel',
          'ssmmessages:OpenDataChannel',
        ],
        resources: ['*'],
        principal: undefined,
        condition: undefined,
      },
      {
        sid: 'ReadTunnelKeys',
        effect: 'Allow',
        actions: ['ssm:GetParametersByPath'],
        resources: [
          'arn:aws:ssm:eu-west-1:444444444444:parameter/wheelhouse/prod/bastion/authorized-keys',
          'arn:aws:ssm:eu-west-1:444444444444:parameter/wheelhouse/prod/bastion/authorized-keys/*',
        ],
        principal: undefined,
        condition: undefined,
      },
      {
        sid: 'PublishHostKeys',
        effect: 'Allow',
        actions: ['ssm:PutParameter'],
        resources: ['arn:aws:ssm:eu-west-1:444444444444:parameter/wheelhouse/prod/bastion/host-keys'],
        principal: undefined,
        condition: undefined,
      },
    ]);
  });

  it('lets no policy of the stack read parameters on * or start a session without the document check', () => {
    const documents = [
      ...Object.values(prod.findResources('AWS::IAM::Policy')),
      ...Object.values(prod.findResources('AWS::IAM::ManagedPolicy')),
    ].map((p) => flatten(p.Properties.PolicyDocument) as { Statement: Record<string, unknown>[] });
    const statements = documents.flatMap((d) => d.Statement);
    const list = (v: unknown) => (Array.isArray(v) ? v : [v]).map(String);
    const parameterReadsOnStar = statements.filter(
      (s) =>
        list(s.Action).some((a) => /^ssm:(GetParameter|\*|Get\*)/.test(a)) && list(s.Resource).includes('*'),
    );
    expect(parameterReadsOnStar).toEqual([]);
    const startSession = statements.filter((s) =>
      list(s.Action).some((a) => a === 'ssm:StartSession' || a === 'ssm:*'),
    );
    expect(startSession).toHaveLength(1);
    expect(startSession[0]!.Condition).toEqual({
      BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' },
    });
  });

  // AWS docs: "Start a session with a document by specifying the session documents in IAM policies"
  // (enforce the session document permission check with BoolIfExists ssm:SessionDocumentAccessCheck, in
  // every statement that allows ssm:StartSession; AWS-owned documents have no account in their ARN).
  it("grants StartSession on this bastion with the port-forwarding documents only, and one's own sessions", () => {
    const [policy, ...others] = Object.values(prod.findResources('AWS::IAM::ManagedPolicy'));
    expect(others).toEqual([]);
    const instance = Object.keys(prod.findResources('AWS::EC2::Instance'))[0];
    expect(flatten(policy!.Properties.PolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PortForwardingOnly',
          Effect: 'Allow',
          Action: 'ssm:StartSession',
          Resource: [
            'arn:aws:ssm:eu-west-1::document/AWS-StartPortForwardingSession',
            'arn:aws:ssm:eu-west-1::document/AWS-StartPortForwardingSessionToRemoteHost',
            `arn:aws:ec2:eu-west-1:444444444444:instance/\${${instance}}`,
          ],
          Condition: { BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } },
        },
        {
          Sid: 'OwnSessions',
          Effect: 'Allow',
          Action: ['ssm:ResumeSession', 'ssm:TerminateSession'],
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template.
          Resource: 'arn:aws:ssm:*:444444444444:session/${aws:userid}-*',
        },
      ],
    });
    prod.hasOutput(STACK_OUTPUTS.bastionSessionPolicyArn, {
      Value: { Ref: Object.keys(prod.findResources('AWS::IAM::ManagedPolicy'))[0] },
    });
  });

  // AWS docs: "Turn on or turn off ssm-user account administrative permissions": SSM Agent adds ssm-user
  // to /etc/sudoers.d/ssm-agent-users when it creates the user; agent 2.3.634.0 release notes: "Remove
  // sudoers file creation logic if ssm-user already exists". So the user exists first, and the file goes.
  it('takes sudo away from the Session Manager user before any session', () => {
    const create = userData.indexOf('useradd --create-home --shell /bin/bash ssm-user');
    expect(create).toBeGreaterThan(-1);
    expect(userData).toContain('rm -f /etc/sudoers.d/ssm-agent-users');
    const lines = userData.split('\\n');
    expect(lines.filter((l) => l.includes('ssm-user') && /sudo|wheel|usermod/.test(l))).toEqual([]);
  });

  it('publishes its SSH host public keys to its own parameter after sshd is up', () => {
    expect(userData).toContain('ssh-keygen -A');
    expect(userData).toContain(
      'aws ssm put-parameter --region eu-west-1 --name /wheelhouse/prod/bastion/host-keys --type String --overwrite',
    );
    expect(userData.indexOf('systemctl restart sshd')).toBeLessThan(userData.indexOf('put-parameter'));
  });

  it("publishes host keys in a form whose fingerprints are the ones ssh-keygen prints for this machine's host keys", () => {
    // GIVEN the user data's own line, run by bash with its `set -euo pipefail`, on real host keys
    ensureOpenSsh();
    if (!existsSync('/etc/ssh/ssh_host_ed25519_key.pub')) execFileSync('ssh-keygen', ['-A']);
    const line = (JSON.parse(userData) as { 'Fn::Base64': { 'Fn::Join': [string, unknown[]] } })[
      'Fn::Base64'
    ]['Fn::Join'][1]
      .filter((part): part is string => typeof part === 'string')
      .join('')
      .split('\n')
      .find((l) => l.startsWith('host_keys=$('))!;

    // WHEN
    const published = execFileSync('bash', ['-c', `set -euo pipefail; ${line}; printf '%s' "$host_keys"`], {
      encoding: 'utf8',
    });

    // THEN
    const files = ['ed25519', 'ecdsa', 'rsa']
      .map((t) => `/etc/ssh/ssh_host_${t}_key.pub`)
      .filter((f) => existsSync(f));
    expect(parseBastionHostKeys(published).map((k) => k.fingerprint)).toEqual(
      files.map((f) => /SHA256:\S+/.exec(execFileSync('ssh-keygen', ['-lf', f], { encoding: 'utf8' }))![0]),
    );
    expect(published).not.toContain('@');
  });

  it('runs the pinned AMI of the configuration, not the latest one', () => {
    prod.hasResourceProperties('AWS::EC2::Instance', { ImageId: 'ami-0123456789abcdef0' });
    expect(JSON.stringify(prod.toJSON())).not.toContain('ami-amazon-linux-latest');
    expect(Object.keys(prod.toJSON().Parameters ?? {}).filter((p) => /ami|Ami/.test(p))).toEqual([]);
  });

  it('refuses to synthesize without a pinned AMI, saying how to pin the running one', () => {
    const unpinned = exampleConfig((raw) => {
      delete raw.defaults.bastion.ami;
    });
    expect(() => synthTemplates(unpinned, ['dev'])).toThrow(ConfigError);
    expect(() => synthTemplates(unpinned, ['dev'])).toThrow(
      /environments\.dev\.bastion\.ami: required: pin the bastion's AMI .*aws ec2 describe-instances --region eu-west-1 .*ImageId/,
    );
  });

  it('gets a launch template name of its own in each environment, even two in one account', () => {
    const sameAccount = synthTemplates(
      exampleConfig((raw) => {
        raw.environments.stage.account = raw.environments.dev.account;
      }),
      ['dev', 'stage'],
    );
    const names = ['dev', 'stage'].map((env) =>
      Object.values(sameAccount[env]!.findResources('AWS::EC2::LaunchTemplate')).map(
        (t) => t.Properties.LaunchTemplateName as string,
      ),
    );
    expect(names.flat()).toHaveLength(2);
    expect(names[0]![0]).toMatch(/^wheelhousedevBastion/);
    expect(names[1]![0]).toMatch(/^wheelhousestageBastion/);
    expect(names[0]![0]).not.toBe('InstanceLaunchTemplate');
  });

  it('installs the AuthorizedKeysCommand, its settings, the tunnel user and the sshd drop-in', () => {
    expect(userData).toContain('cat > /usr/local/sbin/wheelhouse-authorized-keys');
    expect(userData).toContain('KEYS_PARAMETER_PATH=/wheelhouse/prod/bastion/authorized-keys/');
    expect(userData).toContain("useradd --system --shell /usr/sbin/nologin --no-create-home -p '*' tunnel");
    expect(userData).toContain('Match User tunnel');
    expect(userData).toContain('ForceCommand /usr/sbin/nologin');
    expect(userData).toContain('sshd -t');
  });

  it('permits forwarding to the writer and reader endpoints only', () => {
    expect(userData).toMatch(
      /PermitOpen ",\{"Fn::GetAtt":\["DatabaseCluster[A-Z0-9]+","Endpoint.Address"\]\},":5432 ",\{"Fn::GetAtt":\["DatabaseCluster[A-Z0-9]+","ReadEndpoint.Address"\]\},":5432/,
    );
  });

  it('is replaced when its setup changes, so no host drifts from its sshd settings', () => {
    const changed = synthTemplates(
      exampleConfig((raw) => {
        raw.environments.prod.bastion.tunnelUser = 'forward';
      }),
      ['prod'],
    ).prod!;
    const id = (t: typeof prod) => Object.keys(t.findResources('AWS::EC2::Instance'))[0];
    expect(id(changed)).toMatch(/^BastionInstance/);
    expect(id(changed)).not.toBe(id(prod));
  });
});

describe('renderSshdConfig', () => {
  it('fills in the user, destinations and command', () => {
    const text = renderSshdConfig({
      tunnelUser: 'tunnel',
      permitOpen: ['db:5432', 'ro:5432'],
      authorizedKeysCommand: '/bin/sh /k.sh %u /c',
    });
    expect(text).toContain('Match User tunnel');
    expect(text).toContain('PermitOpen db:5432 ro:5432');
    expect(text).toContain('AuthorizedKeysCommand /bin/sh /k.sh %u /c');
    expect(text).toContain('AuthorizedKeysCommandUser nobody');
    expect(text).not.toMatch(/\{\{/);
  });

  it('fails when a value could inject another setting', () => {
    expect(() => renderSshdConfig({ tunnelUser: 'tunnel\nPermitOpen any', permitOpen: ['db:5432'] })).toThrow(
      'sshd setting TUNNEL_USER may not contain a line break, # or ", got "tunnel\\nPermitOpen any"',
    );
  });

  it('fails when no destination is permitted', () => {
    expect(() => renderSshdConfig({ tunnelUser: 'tunnel', permitOpen: [] })).toThrow(
      'permitOpen must name at least one host:port',
    );
  });
});
