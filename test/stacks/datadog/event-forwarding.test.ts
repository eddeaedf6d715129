/**
 * EventForwarding: EventBridge rules that post ECS task stops and Aurora failovers to Datadog's
 * events intake.
 *
 * AWS, "Amazon ECS events" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html):
 * `ECS Task State Change` with `detail.clusterArn`, `lastStatus`, `stopCode`, `stoppedReason`.
 * AWS, "Amazon RDS event categories and event messages" / "Creating a rule that triggers on an
 * Amazon Aurora event" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Events.Messages.html):
 * `RDS DB Cluster Event` with `detail.EventCategories` (`failover`), `EventID` (RDS-EVENT-0070/0071)
 * and `Message`. AWS, "Amazon EventBridge input transformation": `InputPathsMap` + `InputTemplate`.
 * Datadog API reference, Events, "Post an event" (https://docs.datadoghq.com/api/latest/events/#post-an-event):
 * `POST /api/v1/events` with `DD-API-KEY`; the body is checked with the Datadog client's own model.
 * The synthesized template is checked by cfn-lint (independent of CDK).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventForwarding } from '../../../stacks/datadog';
import { exampleConfig } from '../../support/example-config';
import { synthTemplates } from '../../support/synth';

process.env.CDK_VALIDATION = 'false';

const CLUSTER = 'arn:aws:ecs:eu-west-1:444444444444:cluster/wheelhouse-prod';
const DB = 'arn:aws:rds:eu-west-1:444444444444:cluster:wheelhouse-prod';

function forwardingTemplate(): Template {
  const stack = new Stack(new App(), 'Test', { env: { account: '444444444444', region: 'eu-west-1' } });
  new EventForwarding(stack, 'DatadogEvents', {
    env: 'prod',
    site: 'datadoghq.eu',
    apiKeySecretName: 'wheelhouse/datadog-api-key',
    clusterArn: CLUSTER,
    databaseClusterArn: DB,
    tags: ['team:platform'],
  });
  return Template.fromStack(stack);
}

/**
 * What EventBridge's input transformer makes of `event`: a `<name>` inside a JSON string gets the
 * value's characters (escaped), a bare `<name>` gets the value as JSON (a string in quotes).
 */
function transform(
  input: { InputPathsMap: Record<string, string>; InputTemplate: string },
  event: unknown,
): unknown {
  const value = (path: string) =>
    path
      .replace(/^\$\./, '')
      .split('.')
      .reduce<unknown>((v, key) => (v as Record<string, unknown>)?.[key], event);
  let out = '';
  let inString = false;
  const t = input.InputTemplate;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i]!;
    if (ch === '"' && t[i - 1] !== '\\') inString = !inString;
    const placeholder = ch === '<' ? /^<([\w-]+)>/.exec(t.slice(i)) : null;
    if (placeholder && placeholder[1]! in input.InputPathsMap) {
      const v = value(input.InputPathsMap[placeholder[1]!]!);
      out += inString ? JSON.stringify(String(v)).slice(1, -1) : JSON.stringify(v);
      i += placeholder[0].length - 1;
    } else out += ch;
  }
  return JSON.parse(out);
}

function validDatadogEvent(body: unknown): unknown {
  const { ObjectSerializer } =
    require('@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/ObjectSerializer') as {
      ObjectSerializer: { deserialize(data: unknown, type: string, format: string): unknown };
    };
  const parsed = ObjectSerializer.deserialize(body, 'EventCreateRequest', '');
  expect(JSON.stringify(parsed)).not.toContain('"_unparsed":true');
  return parsed;
}

function targetOf(template: Template, description: string) {
  const rules = template.findResources('AWS::Events::Rule', { Properties: { Description: description } });
  const [rule] = Object.values(rules);
  return (rule as { Properties: { Targets: { InputTransformer: never }[] } }).Properties.Targets[0]!;
}

describe('EventForwarding', () => {
  const template = forwardingTemplate();

  it('authenticates to the site’s events intake with the API key from Secrets Manager', () => {
    template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: {
          ApiKeyName: 'DD-API-KEY',
          ApiKeyValue: Match.stringLikeRegexp(
            '^\\{\\{resolve:secretsmanager:wheelhouse/datadog-api-key:SecretString:::\\}\\}$',
          ),
        },
      },
    });
    template.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://api.datadoghq.eu/api/v1/events',
      HttpMethod: 'POST',
    });
  });

  it('forwards the stops of the cluster’s tasks only', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: { clusterArn: [CLUSTER], lastStatus: ['STOPPED'] },
      },
    });
  });

  it('forwards the failovers of the Aurora cluster only', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.rds'],
        'detail-type': ['RDS DB Cluster Event'],
        resources: [DB],
        detail: { EventCategories: ['failover'] },
      },
    });
  });

  it('keeps what it could not deliver in a dead-letter queue, after retrying for a day', () => {
    const target = targetOf(template, 'ECS task stops of prod to Datadog events') as unknown as Record<
      string,
      unknown
    >;
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 });
    expect(target.DeadLetterConfig).toEqual({ Arn: expect.anything() });
  });

  it('turns an ECS task stop (AWS’s sample event) into a Datadog event the monitor finds by its tags', () => {
    const body = transform(targetOf(template, 'ECS task stops of prod to Datadog events').InputTransformer, {
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
      detail: {
        clusterArn: CLUSTER,
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited: "app" exit code 137',
      },
    });
    validDatadogEvent(body);
    expect(body).toEqual({
      title: 'ECS task stopped in prod',
      text: 'Essential container in task exited: "app" exit code 137',
      alert_type: 'warning',
      aggregation_key: 'prod/ecs-task-stopped',
      tags: [
        'env:prod',
        'team:platform',
        'wheelhouse-event:ecs-task-stopped',
        'stop-code:EssentialContainerExited',
      ],
    });
  });

  it('turns an Aurora failover (RDS-EVENT-0071) into a Datadog event', () => {
    const body = transform(
      targetOf(template, 'Aurora failovers of prod to Datadog events').InputTransformer,
      {
        source: 'aws.rds',
        'detail-type': 'RDS DB Cluster Event',
        resources: [DB],
        detail: {
          EventCategories: ['failover'],
          EventID: 'RDS-EVENT-0071',
          Message: 'Completed failover to DB instance: wheelhouse-prod-reader',
        },
      },
    );
    validDatadogEvent(body);
    expect(body).toMatchObject({
      title: 'Aurora failover in prod',
      alert_type: 'error',
      tags: ['env:prod', 'team:platform', 'wheelhouse-event:rds-failover', 'event-id:RDS-EVENT-0071'],
    });
  });

  it('passes cfn-lint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-forwarding-'));
    const file = join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template.toJSON()));
    let output = '';
    try {
      execFileSync('cfn-lint', ['--format', 'parseable', file], { encoding: 'utf8' });
    } catch (error) {
      const e = error as { status?: number; stdout?: string; code?: string };
      if (e.code === 'ENOENT') throw new Error('cfn-lint is not installed: pip install cfn-lint');
      output = e.stdout ?? '';
    }
    // Only warnings of CDK's own making are allowed (none expected here).
    expect(output.split('\n').filter((l) => /:E\d+:/.test(l))).toEqual([]);
  });
});

describe('EventForwarding in the environment stacks', () => {
  it('is in every environment with Datadog enabled, for its own ECS and Aurora clusters', () => {
    // GIVEN the example configuration (Datadog enabled in stage and prod, not in dev)
    const config = exampleConfig();
    expect(config.environments.filter((e) => e.datadog.enabled).length).toBeGreaterThan(0);
    const templates = synthTemplates(config);
    for (const env of config.environments) {
      const template = templates[env.name]!;
      // THEN two rules where Datadog is on (task stops and failovers), none elsewhere
      template.resourcePropertiesCountIs(
        'AWS::Events::Rule',
        { EventPattern: { source: Match.anyValue() } },
        env.datadog.enabled ? 2 : 0,
      );
      if (!env.datadog.enabled) continue;
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { detail: { clusterArn: [{ 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }] } },
      });
      template.hasResourceProperties('AWS::Events::ApiDestination', {
        InvocationEndpoint: `https://api.${env.datadog.site}/api/v1/events`,
      });
    }
  });
});
