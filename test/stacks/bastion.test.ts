import { Match } from 'aws-cdk-lib/assertions';
import { renderSshdConfig } from '../../stacks/bastion/sshd-config';
import { exampleConfig } from '../support/example-config';
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

  it('can use Session Manager and read only its own environment keys', () => {
    prod.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [
        { 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/AmazonSSMManagedInstanceCore'])] },
      ],
    });
    prod.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'ssm:GetParametersByPath',
            Effect: 'Allow',
            Resource: [
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ssm:eu-west-1:444444444444:parameter/wheelhouse/prod/bastion/authorized-keys',
                  ],
                ],
              },
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ssm:eu-west-1:444444444444:parameter/wheelhouse/prod/bastion/authorized-keys/*',
                  ],
                ],
              },
            ],
          },
        ],
      },
    });
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
