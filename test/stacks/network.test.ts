import { Match, type Template } from 'aws-cdk-lib/assertions';
import { exampleConfig } from '../support/example-config';
import { synthTemplates } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };

function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** ACL entries of one ACL (by logical id prefix), as comparable rows. */
function aclEntries(template: Template, aclIdPrefix: string, egress: boolean) {
  const aclId = Object.keys(template.findResources('AWS::EC2::NetworkAcl')).find((id) =>
    id.startsWith(aclIdPrefix),
  );
  return resources(template, 'AWS::EC2::NetworkAclEntry')
    .filter(
      ([, r]) =>
        (r.Properties.NetworkAclId as { Ref: string }).Ref === aclId &&
        Boolean(r.Properties.Egress) === egress,
    )
    .map(([, r]) => {
      const range = r.Properties.PortRange as { From: number; To: number };
      return `${r.Properties.CidrBlock} ${range.From === range.To ? range.From : `${range.From}-${range.To}`}`;
    })
    .sort();
}

describe('Network', () => {
  const templates = synthTemplates(exampleConfig());
  const dev = templates.dev!;
  const prod = templates.prod!;

  it('lays out 2 public, 2 app and 3 data subnets in the configured zones and blocks', () => {
    const subnets = resources(prod, 'AWS::EC2::Subnet').map(
      ([, r]) => `${r.Properties.AvailabilityZone} ${r.Properties.CidrBlock}`,
    );
    expect(subnets.sort()).toEqual(
      [
        'eu-west-1a 10.30.0.0/24',
        'eu-west-1b 10.30.1.0/24',
        'eu-west-1a 10.30.16.0/20',
        'eu-west-1b 10.30.32.0/20',
        'eu-west-1a 10.30.48.0/24',
        'eu-west-1b 10.30.49.0/24',
        'eu-west-1c 10.30.50.0/24',
      ].sort(),
    );
    prod.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.30.0.0/16', EnableDnsHostnames: true });
  });

  it('gives prod one NAT gateway per app zone and dev a single one', () => {
    prod.resourceCountIs('AWS::EC2::NatGateway', 2);
    dev.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('routes public subnets to the internet gateway, app subnets to NAT, and data subnets nowhere', () => {
    const routes = resources(prod, 'AWS::EC2::Route').map(([, r]) => r.Properties);
    expect(routes.filter((r) => r.GatewayId)).toHaveLength(2);
    expect(routes.filter((r) => r.NatGatewayId)).toHaveLength(2);
    expect(routes).toHaveLength(4);
  });

  it('never gives a public IP on launch', () => {
    for (const [, subnet] of resources(prod, 'AWS::EC2::Subnet'))
      expect(subnet.Properties.MapPublicIpOnLaunch ?? false).toBe(false);
  });

  it('lets the data tier accept only PostgreSQL from the app and public tiers', () => {
    expect(aclEntries(prod, 'NetworkDataAcl', false)).toEqual(
      ['10.30.0.0/24 5432', '10.30.1.0/24 5432', '10.30.16.0/20 5432', '10.30.32.0/20 5432'].sort(),
    );
    expect(aclEntries(prod, 'NetworkDataAcl', true)).toEqual(
      [
        '10.30.0.0/24 1024-65535',
        '10.30.1.0/24 1024-65535',
        '10.30.16.0/20 1024-65535',
        '10.30.32.0/20 1024-65535',
      ].sort(),
    );
  });

  it('lets the app tier accept only the service ports from the public tier, and return traffic', () => {
    expect(aclEntries(prod, 'NetworkAppAcl', false)).toEqual(
      [
        '0.0.0.0/0 1024-65535',
        '10.30.0.0/24 8080',
        '10.30.0.0/24 9000',
        '10.30.1.0/24 8080',
        '10.30.1.0/24 9000',
      ].sort(),
    );
    expect(aclEntries(prod, 'NetworkAppAcl', true)).toEqual(
      [
        '0.0.0.0/0 443',
        '10.30.48.0/24 5432',
        '10.30.49.0/24 5432',
        '10.30.50.0/24 5432',
        '10.30.0.0/24 1024-65535',
        '10.30.1.0/24 1024-65535',
      ].sort(),
    );
  });

  it('opens the public tier to the listener ports, and SSH only from the configured blocks', () => {
    const inbound = aclEntries(dev, 'NetworkPublicAcl', false);
    expect(inbound).toEqual(
      [
        '0.0.0.0/0 80',
        '0.0.0.0/0 9000',
        '203.0.113.0/24 22',
        '10.10.16.0/20 443',
        '10.10.32.0/20 443',
        '0.0.0.0/0 1024-65535',
      ].sort(),
    );
    expect(inbound.filter((e) => e.endsWith(' 22'))).toEqual(['203.0.113.0/24 22']);
  });

  it('opens 443 on the public tier only when there is a certificate', () => {
    const withDomain = synthTemplates(
      exampleConfig((raw) => {
        raw.environments.dev.domain = {
          name: 'api.dev.example.com',
          certificateArn:
            'arn:aws:acm:eu-west-1:222222222222:certificate/11111111-2222-3333-4444-555555555555',
        };
      }),
      ['dev'],
    ).dev!;
    expect(aclEntries(withDomain, 'NetworkPublicAcl', false)).toContain('0.0.0.0/0 443');
    expect(aclEntries(dev, 'NetworkPublicAcl', false)).not.toContain('0.0.0.0/0 443');
  });

  it('attaches each tier to its own ACL', () => {
    prod.resourceCountIs('AWS::EC2::NetworkAcl', 3);
    prod.resourceCountIs('AWS::EC2::SubnetNetworkAclAssociation', 7);
  });

  it('records all traffic in VPC flow logs with the configured retention', () => {
    prod.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    prod.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('restricts the default security group', () => {
    prod.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    prod.hasResourceProperties('Custom::VpcRestrictDefaultSG', { DefaultSecurityGroupId: Match.anyValue() });
  });
});
