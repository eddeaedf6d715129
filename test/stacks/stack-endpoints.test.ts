/**
 * The endpoints an environment stack outputs are the names clients use: with a domain, the ALB's
 * certificate (ACM) names the domain only, so TLS to the ALB's own DNS name fails hostname
 * verification (ACM: "Domain names in ACM certificates", https://docs.aws.amazon.com/acm/latest/userguide/acm-concepts.html;
 * test/ops/health-check-tls.test.ts shows the failure with a real TLS server). The target
 * groups' ARNs are outputs too: the deploy reads their target health.
 */
import { STACK_OUTPUTS } from '../../config';
import { exampleConfig } from '../support/example-config';
import { flatten } from '../support/iam-policies';
import { synthTemplates } from '../support/synth';

describe('environment stack endpoints', () => {
  const config = exampleConfig();
  const templates = synthTemplates(config, ['dev', 'stage']);
  const output = (env: string, key: keyof typeof STACK_OUTPUTS) =>
    flatten(templates[env]!.toJSON().Outputs[STACK_OUTPUTS[key]]?.Value);

  it('with a domain (stage): https://<domain> and <domain>:9000, not the load balancer DNS name', () => {
    const domain = config.environments.find((e) => e.name === 'stage')!.domain!.name;
    expect(domain).toBe('api.stage.example.com');
    expect(output('stage', 'httpEndpoint')).toBe(`https://${domain}`);
    expect(output('stage', 'grpcEndpoint')).toBe(`${domain}:9000`);
    expect(output('stage', 'loadBalancerDns')).toMatch(/^\$\{LoadBalancingAlb[0-9A-F]+\.DNSName\}$/);
  });

  it('without a domain (dev): http://<ALB DNS name> and <NLB DNS name>:9000', () => {
    expect(config.environments.find((e) => e.name === 'dev')!.domain).toBeNull();
    expect(output('dev', 'httpEndpoint')).toMatch(/^http:\/\/\$\{LoadBalancingAlb[0-9A-F]+\.DNSName\}$/);
    expect(output('dev', 'grpcEndpoint')).toMatch(/^\$\{LoadBalancingNlb[0-9A-F]+\.DNSName\}:9000$/);
  });

  it.each(['dev', 'stage'])("outputs the ARNs of %s's HTTP and gRPC target groups", (env) => {
    const groups = templates[env]!.findResources('AWS::ElasticLoadBalancingV2::TargetGroup');
    const http = Object.keys(groups).find((id) => id.startsWith('LoadBalancingHttpTargets'));
    const grpc = Object.keys(groups).find((id) => id.startsWith('LoadBalancingGrpcTargets'));
    expect(output(env, 'httpTargetGroupArn')).toBe(`\${${http}}`);
    expect(output(env, 'grpcTargetGroupArn')).toBe(`\${${grpc}}`);
    // gRPC goes through the ALB (GRPC protocol version) with a domain, through the NLB (TCP) without.
    expect(groups[grpc!]!.Properties.Protocol).toBe(env === 'stage' ? 'HTTP' : 'TCP');
  });
});
