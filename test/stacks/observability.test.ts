import { Match } from 'aws-cdk-lib/assertions';
import { STACK_OUTPUTS } from '../../config';
import { exampleConfig } from '../support/example-config';
import { synthTemplates } from '../support/synth';

type Container = {
  Name: string;
  Environment?: { Name: string; Value: unknown }[];
  LogConfiguration?: { LogDriver: string };
};

function containers(template: ReturnType<typeof synthTemplates>[string]): Container[] {
  const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as {
    Properties: { ContainerDefinitions: Container[] };
  }[];
  return task!.Properties.ContainerDefinitions;
}

describe('Datadog in the environment stacks', () => {
  const templates = synthTemplates(exampleConfig());

  it('adds the Agent and a FireLens log router to the task where Datadog is enabled', () => {
    const prod = containers(templates.prod!);
    expect(prod.map((c) => c.Name).sort()).toEqual(['datadog-agent', 'log-router', 'service']);
    expect(prod.find((c) => c.Name === 'service')?.LogConfiguration?.LogDriver).toBe('awsfirelens');
    const env = Object.fromEntries(
      (prod.find((c) => c.Name === 'service')?.Environment ?? []).map((e) => [e.Name, e.Value]),
    );
    expect(env).toMatchObject({ DD_AGENT_HOST: '127.0.0.1', DD_ENV: 'prod' });
  });

  it('reads the Datadog API key from Secrets Manager, never from plain configuration', () => {
    templates.prod!.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'datadog-agent',
          Secrets: [
            {
              Name: 'DD_API_KEY',
              // The partition is a literal (feature flag @aws-cdk/core:enablePartitionLiterals).
              ValueFrom: 'arn:aws:secretsmanager:eu-west-1:444444444444:secret:wheelhouse/datadog-api-key',
            },
          ],
        }),
      ]),
    });
  });

  it('keeps CloudWatch Logs only where Datadog is off', () => {
    const dev = containers(templates.dev!);
    expect(dev.map((c) => c.Name)).toEqual(['service']);
    expect(dev[0]?.LogConfiguration?.LogDriver).toBe('awslogs');
  });

  it('creates the integration role with the configured external id, and outputs its ARN', () => {
    templates.prod!.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'wheelhouse-prod-datadog-integration',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({ Condition: { StringEquals: { 'sts:ExternalId': 'example-external-id-prod' } } }),
        ],
      },
    });
    templates.prod!.hasOutput(STACK_OUTPUTS.datadogIntegrationRoleArn, { Value: Match.anyValue() });
    expect(Object.keys(templates.dev!.findOutputs(STACK_OUTPUTS.datadogIntegrationRoleArn))).toEqual([]);
  });
});
