import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { Config } from '../../config';
import { exampleConfig } from '../support/example-config';
import { synthTemplates } from '../support/synth';

const CERTIFICATE = 'arn:aws:acm:eu-west-1:444444444444:certificate/11111111-2222-3333-4444-555555555555';

function withDomain(): Config {
  return exampleConfig((raw) => {
    raw.environments.prod.domain = { name: 'api.example.com', certificateArn: CERTIFICATE };
  });
}

type Resource = { Type: string; Properties: Record<string, unknown> };

/** Every listener with the protocol of the target group it forwards to. */
function listenerTargets(template: Template): { listener: string; target: string }[] {
  const groups = template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup') as Record<
    string,
    Resource
  >;
  const listeners = Object.values(
    template.findResources('AWS::ElasticLoadBalancingV2::Listener') as Record<string, Resource>,
  );
  return listeners.flatMap((l) =>
    ((l.Properties.DefaultActions as { TargetGroupArn?: { Ref: string } }[]) ?? [])
      .filter((a) => a.TargetGroupArn)
      .map((a) => {
        const group = groups[a.TargetGroupArn!.Ref]!.Properties;
        return {
          listener: `${l.Properties.Protocol}:${l.Properties.Port}`,
          target: String(group.ProtocolVersion ?? group.Protocol),
        };
      }),
  );
}

describe('LoadBalancing without a certificate', () => {
  const prod = synthTemplates(exampleConfig(), ['prod']).prod!;

  it('forwards HTTP on 80 to the service HTTP port, health-checked on /healthz', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthCheckPath: '/healthz',
    });
  });

  it('passes gRPC on 9000 through an NLB to the task gRPC port, health-checked on the same task', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internet-facing',
    });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9000, Protocol: 'TCP' });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 9000,
      Protocol: 'TCP',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: '8080',
      HealthCheckPath: '/healthz',
      Matcher: { HttpCode: '200' },
    });
  });

  it('has no HTTPS listener', () => {
    expect(
      listenerTargets(prod)
        .map((l) => l.listener)
        .sort(),
    ).toEqual(['HTTP:80', 'TCP:9000']);
  });

  it('logs access and drops invalid headers', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'application',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'application',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    });
  });

  it('drains targets for less than the task stop timeout', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '20' }]),
    });
  });
});

describe('LoadBalancing with a certificate', () => {
  const prod = synthTemplates(withDomain(), ['prod']).prod!;

  it('serves HTTPS on 443 and redirects 80 to it', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE }],
    });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        Match.objectLike({
          Type: 'redirect',
          RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }),
        }),
      ],
    });
  });

  it('routes gRPC on 9000 through an HTTPS listener to a GRPC target group checked with grpc.health.v1', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9000, Protocol: 'HTTPS' });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 9000,
      ProtocolVersion: 'GRPC',
      HealthCheckPath: '/grpc.health.v1.Health/Check',
      Matcher: { GrpcCode: '0' },
    });
  });

  it('needs no NLB', () => {
    prod.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network' }, 0);
  });
});

describe('gRPC target groups', () => {
  it.each([
    ['the example configuration', exampleConfig()],
    ['a configuration with a certificate', withDomain()],
  ])('never sit behind a non-HTTPS listener in %s', (_, config) => {
    const templates = synthTemplates(config);
    for (const template of Object.values(templates)) {
      for (const { listener, target } of listenerTargets(template)) {
        if (target === 'GRPC') expect(listener).toMatch(/^HTTPS:/);
      }
    }
  });
});

describe('target group health checks', () => {
  it.each([
    ['the example configuration', exampleConfig()],
    ['a configuration with a certificate', withDomain()],
  ])('never ask /readyz, which pings the database, in %s', (_, config) => {
    // ECS replaces the tasks its load balancer finds unhealthy: a database outage must not be a reason
    // (test/service/database-stopped.test.ts runs every one of these checks with the database stopped).
    const templates = synthTemplates(config);
    const paths = Object.values(templates).flatMap((template) =>
      Object.values(
        template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup') as Record<string, Resource>,
      ).map((group) => group.Properties.HealthCheckPath),
    );
    expect(paths.length).toBeGreaterThan(0);
    expect(new Set(paths)).toEqual(new Set(['/healthz', '/grpc.health.v1.Health/Check']));
  });
});

describe('a custom domain', () => {
  it('gets an alias record to the ALB when a hosted zone is configured', () => {
    const prod = synthTemplates(
      exampleConfig((raw) => {
        raw.environments.prod.domain = {
          name: 'api.example.com',
          certificateArn: CERTIFICATE,
          hostedZoneId: 'Z0123456789ABC',
        };
      }),
      ['prod'],
    ).prod!;
    prod.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABC',
      AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
    });
  });

  it('gets no record without a hosted zone', () => {
    synthTemplates(withDomain(), ['prod']).prod!.resourceCountIs('AWS::Route53::RecordSet', 0);
  });
});
