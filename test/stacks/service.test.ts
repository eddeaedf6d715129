import { Match } from 'aws-cdk-lib/assertions';
import { exampleConfig } from '../support/example-config';
import { synthTemplates } from '../support/synth';

describe('Service', () => {
  const templates = synthTemplates(exampleConfig());
  const dev = templates.dev!;
  const prod = templates.prod!;

  it('rolls back a failing deployment with the circuit breaker and keeps full capacity while rolling', () => {
    prod.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
    });
  });

  it('runs in the two private app subnets without public IPs', () => {
    prod.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          Subnets: [
            { Ref: Match.stringLikeRegexp('NetworkApp1') },
            { Ref: Match.stringLikeRegexp('NetworkApp2') },
          ],
        },
      },
    });
  });

  it('never sets the desired count, so a deploy keeps the running count', () => {
    prod.hasResourceProperties('AWS::ECS::Service', { DesiredCount: Match.absent() });
  });

  it('scales between the configured bounds of each environment', () => {
    dev.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 4,
    });
    prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 3,
      MaxCapacity: 12,
    });
  });

  it.each([
    ['ECSServiceAverageCPUUtilization', 60],
    ['ECSServiceAverageMemoryUtilization', 75],
    ['ALBRequestCountPerTarget', 1000],
  ])('tracks %s at %d', (metric, target) => {
    prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: metric }),
        TargetValue: target,
      }),
    });
  });

  it('sizes the task per environment', () => {
    dev.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024' });
    prod.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '1024', Memory: '2048' });
  });

  it('runs the image from the registry at the ImageTag stack parameter', () => {
    prod.hasParameter('ImageTag', { Type: 'String', Default: Match.absent() });
    prod.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'service',
          Image: {
            'Fn::Join': [
              '',
              Match.arrayWith([
                Match.stringLikeRegexp('^111111111111\\.dkr\\.ecr\\.eu-west-1\\.'),
                { Ref: 'ImageTag' },
              ]),
            ],
          },
        }),
      ]),
    });
  });

  it('gives the task the writer and reader endpoints separately, and credentials from Secrets Manager', () => {
    const [task] = Object.values(prod.findResources('AWS::ECS::TaskDefinition')) as {
      Properties: { ContainerDefinitions: Record<string, unknown>[] };
    }[];
    const container = task!.Properties.ContainerDefinitions.find((c) => c.Name === 'service')!;
    const env = Object.fromEntries(
      (container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
    );
    expect(JSON.stringify(env.DATABASE_WRITER_URL)).toContain('Endpoint.Address');
    expect(JSON.stringify(env.DATABASE_READER_URL)).toContain('ReadEndpoint.Address');
    expect(env).toMatchObject({
      PORT: '8080',
      GRPC_PORT: '9000',
      DD_ENV: 'prod',
      DATABASE_SSL: 'verify-full',
    });
    expect(JSON.stringify(env)).not.toMatch(/password/i);
    expect((container.Secrets as { Name: string }[]).map((s) => s.Name).sort()).toEqual([
      'PGPASSWORD',
      'PGUSER',
    ]);
  });

  it('lets the service drain: a stop timeout and a shutdown deadline inside it', () => {
    prod.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'service',
          StopTimeout: 30,
          Environment: Match.arrayWith([{ Name: 'SHUTDOWN_TIMEOUT_MS', Value: '27000' }]),
        }),
      ]),
    });
  });

  it('logs to CloudWatch (without Datadog), runs as a non-root user on a read-only root filesystem', () => {
    dev.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'service',
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
          ReadonlyRootFilesystem: true,
          User: '1000',
        }),
      ]),
    });
  });

  it('accepts traffic only from the load balancers on the service ports', () => {
    const ingress = Object.values(prod.findResources('AWS::EC2::SecurityGroupIngress')) as {
      Properties: Record<string, unknown>;
    }[];
    const toService = ingress.filter((i) =>
      JSON.stringify(i.Properties.GroupId).includes('ServiceSecurityGroup'),
    );
    expect(toService.map((i) => i.Properties.FromPort).sort()).toEqual([8080, 8080, 9000, 9000]);
    for (const rule of toService)
      expect(JSON.stringify(rule.Properties.SourceSecurityGroupId)).toMatch(
        /LoadBalancing(Alb|Nlb)SecurityGroup/,
      );
  });
});
