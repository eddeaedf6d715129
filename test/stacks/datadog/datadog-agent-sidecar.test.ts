import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DatadogAgentSidecar } from '../../../stacks/datadog';

// Bare stacks, no app synth: the built-in validation is not what these tests are about.
process.env.CDK_VALIDATION = 'false';

/** A bare stack with a Fargate task, the API key secret, and an app container logging as given. */
function taskWithApp(logging: (apiKey: secretsmanager.ISecret) => ecs.LogDriver) {
  const stack = new Stack(new App(), 'Test');
  const apiKey = secretsmanager.Secret.fromSecretNameV2(stack, 'ApiKey', 'wheelhouse/datadog-api-key');
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
  const appContainer = taskDefinition.addContainer('service', {
    image: ecs.ContainerImage.fromRegistry('example/service:v1'),
    logging: logging(apiKey),
  });
  return { stack, apiKey, taskDefinition, appContainer };
}

const logOptions = (apiKey: secretsmanager.ISecret) => ({
  apiKey,
  site: 'datadoghq.eu',
  service: 'wheelhouse',
  env: 'prod',
});

describe('DatadogAgentSidecar', () => {
  // GIVEN an app container that logs through the sidecar's FireLens driver
  const { stack, apiKey, taskDefinition, appContainer } = taskWithApp((key) =>
    DatadogAgentSidecar.logDriver(logOptions(key)),
  );
  // WHEN the sidecar is added
  new DatadogAgentSidecar(stack, 'Datadog', {
    ...logOptions(apiKey),
    taskDefinition,
    appContainer,
    version: 'v1.2.3',
  });
  const template = Template.fromStack(stack);
  const containers = () =>
    Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0]!.Properties.ContainerDefinitions as {
      Name: string;
    }[];

  /** One container of the task, with its environment as a record. */
  const container = (name: string) => {
    const c = (containers() as { Name: string; Environment?: { Name: string; Value: string }[] }[]).find(
      (x) => x.Name === name,
    )!;
    return { ...c, env: Object.fromEntries((c.Environment ?? []).map((e) => [e.Name, e.Value])) };
  };

  it('adds the Agent with DogStatsD and APM on localhost and the API key from Secrets Manager', () => {
    const agent = container('datadog-agent');
    expect(agent).toMatchObject({ Image: 'public.ecr.aws/datadog/agent:7', Essential: false });
    expect(agent).not.toHaveProperty('PortMappings');
    expect(agent.env).toMatchObject({
      DD_SITE: 'datadoghq.eu',
      ECS_FARGATE: 'true',
      DD_APM_ENABLED: 'true',
      DD_APM_NON_LOCAL_TRAFFIC: 'false',
      DD_DOGSTATSD_NON_LOCAL_TRAFFIC: 'false',
      DD_DOGSTATSD_PORT: '8125',
      DD_APM_RECEIVER_PORT: '8126',
      DD_ENV: 'prod',
      DD_SERVICE: 'wheelhouse',
      DD_VERSION: 'v1.2.3',
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'datadog-agent',
          Secrets: [{ Name: 'DD_API_KEY', ValueFrom: Match.anyValue() }],
        }),
      ]),
    });
  });

  it('gives the app unified service tags and the Agent address, and starts it after the Agent', () => {
    const app = container('service');
    expect(app.env).toMatchObject({
      DD_ENV: 'prod',
      DD_SERVICE: 'wheelhouse',
      DD_VERSION: 'v1.2.3',
      DD_AGENT_HOST: '127.0.0.1',
      DD_DOGSTATSD_PORT: '8125',
      DD_TRACE_AGENT_PORT: '8126',
    });
    expect(app).toMatchObject({
      DependsOn: expect.arrayContaining([{ ContainerName: 'datadog-agent', Condition: 'START' }]),
    });
  });

  // Datadog, "Unified Service Tagging" → "Amazon ECS" (https://docs.datadoghq.com/getting_started/tagging/unified_service_tagging/?tab=ecs):
  // on ECS Fargate the Agent tags a container's `ecs.fargate.*` metrics from its `com.datadoghq.tags.*`
  // Docker labels; the DD_* variables serve the tracer and StatsD client inside it.
  it('labels the app container with env, service and version, and the sidecars with env and version', () => {
    const labels = (name: string) =>
      (containers() as { Name: string; DockerLabels?: Record<string, string> }[]).find(
        (c) => c.Name === name,
      )!.DockerLabels;
    expect(labels('service')).toEqual({
      'com.datadoghq.tags.env': 'prod',
      'com.datadoghq.tags.service': 'wheelhouse',
      'com.datadoghq.tags.version': 'v1.2.3',
    });
    for (const sidecar of ['datadog-agent', 'log-router']) {
      expect(labels(sidecar)).toEqual({
        'com.datadoghq.tags.env': 'prod',
        'com.datadoghq.tags.version': 'v1.2.3',
      });
    }
  });

  it('ships the app logs to Datadog through one FireLens log router', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'service',
          LogConfiguration: {
            LogDriver: 'awsfirelens',
            Options: Match.objectLike({
              Name: 'datadog',
              Host: 'http-intake.logs.datadoghq.eu',
              TLS: 'on',
              dd_service: 'wheelhouse',
              dd_tags: 'env:prod',
            }),
            SecretOptions: [{ Name: 'apikey', ValueFrom: Match.anyValue() }],
          },
        }),
        Match.objectLike({
          Name: 'log-router',
          FirelensConfiguration: Match.objectLike({ Type: 'fluentbit' }),
        }),
      ]),
    });
    expect(
      containers()
        .map((c) => c.Name)
        .sort(),
    ).toEqual(['datadog-agent', 'log-router', 'service']);
  });

  it('runs FireLens and the Agent from public registries, so the execution role may pull from no ECR repository', () => {
    // Anyone can pull from an ECR Public repository, without authentication (https://docs.aws.amazon.com/AmazonECR/latest/public/public-repository-policies.html,
    // docker-pull-ecr-image.html: unauthenticated pulls, with their own quotas);
    // a private one needs ecr:BatchGetImage on it, plus ecr:GetAuthorizationToken, granted "*" (set-repository-policy.html).
    const images = Object.fromEntries(
      (containers() as { Name: string; Image: unknown }[]).map((c) => [c.Name, c.Image]),
    );
    expect(images['log-router']).toBe('public.ecr.aws/aws-observability/aws-for-fluent-bit:stable');
    expect(images['datadog-agent']).toBe('public.ecr.aws/datadog/agent:7');
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[] }[],
    );
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('ecr:'))).toEqual([]);
  });

  it('lets the execution role read the API key', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] }),
        ]),
      },
    });
  });

  it('fails when the app container does not log through FireLens', () => {
    // GIVEN an app container with the awslogs driver
    const other = taskWithApp(() => ecs.LogDrivers.awsLogs({ streamPrefix: 'service' }));
    // THEN adding the sidecar says how to fix it
    expect(
      () =>
        new DatadogAgentSidecar(other.stack, 'Datadog', {
          ...logOptions(other.apiKey),
          taskDefinition: other.taskDefinition,
          appContainer: other.appContainer,
          version: 'v1',
        }),
    ).toThrow(
      /needs the app container "service" to log through FireLens, got awslogs: create it with logging: DatadogAgentSidecar.logDriver/,
    );
  });
});
