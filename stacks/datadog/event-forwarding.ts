/**
 * Forwards the AWS events that the monitors need, and that Datadog's AWS integration does not
 * collect, to Datadog's events intake: ECS task stops of the service and failovers of the Aurora
 * cluster, through EventBridge rules with an API destination.
 *
 * Datadog's ECS and RDS integrations crawl metrics; they turn neither ECS task state changes nor RDS
 * cluster events into Datadog events, so monitors on `source:amazon_ecs` / `source:amazon_rds` events
 * never see them. EventBridge delivers both (AWS, EventBridge reference, "Amazon Elastic Container
 * Service events", `ECS Task State Change`; "Amazon RDS events", `RDS DB Cluster Event`), and an
 * API destination (AWS, "API destinations as targets in Amazon EventBridge") posts each one, reshaped
 * by an input transformer, to `POST https://api.<site>/api/v1/events` (Datadog API reference,
 * Events, "Post an event": the API key alone in `DD-API-KEY`). Failed deliveries are retried for a
 * day, then kept in a dead-letter queue for 14 days.
 */
import { Duration, SecretValue, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FORWARDED_EVENTS, forwardedEventTag } from '../../config';

/** Props of {@link EventForwarding}. */
export interface EventForwardingProps {
  /** The environment, as the `env:` tag of the events. */
  readonly env: string;
  /** Datadog site, e.g. `datadoghq.com`; events go to `https://api.<site>/api/v1/events`. */
  readonly site: string;
  /** Name of the Secrets Manager secret holding the Datadog API key (the whole secret string). */
  readonly apiKeySecretName: string;
  /** ARN of the ECS cluster whose task stops are forwarded. */
  readonly clusterArn: string;
  /** ARN of the Aurora cluster whose failovers are forwarded. */
  readonly databaseClusterArn: string;
  /** Tags added to every event (the environment's `datadog.tags`). @default [] */
  readonly tags?: readonly string[];
}

/** The events intake endpoint of a Datadog site. */
export function datadogEventsEndpoint(site: string): string {
  return `https://api.${site}/api/v1/events`;
}

/** EventBridge rules that post ECS task stops and Aurora failovers to Datadog as events. */
export class EventForwarding extends Construct {
  /** The rule forwarding ECS task stops. */
  readonly taskStopped: events.Rule;
  /** The rule forwarding Aurora failovers. */
  readonly failover: events.Rule;
  /** Where events that could not be delivered are kept. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventForwardingProps) {
    super(scope, id);
    const connection = new events.Connection(this, 'Connection', {
      description: `Datadog events intake for ${props.env}`,
      authorization: events.Authorization.apiKey(
        'DD-API-KEY',
        SecretValue.secretsManager(props.apiKeySecretName),
      ),
    });
    const destination = new events.ApiDestination(this, 'Destination', {
      connection,
      endpoint: datadogEventsEndpoint(props.site),
      httpMethod: events.HttpMethod.POST,
      description: `Datadog events intake for ${props.env}`,
      rateLimitPerSecond: 10,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the EventBridge targets (their DeadLetterConfig), which the rule cannot see: it only recognises SQS redrive policies.',
    });
    const tags = [`env:${props.env}`, ...(props.tags ?? [])];
    const target = (input: events.RuleTargetInput) =>
      new targets.ApiDestination(destination, {
        event: input,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      });

    this.taskStopped = new events.Rule(this, 'TaskStopped', {
      description: `ECS task stops of ${props.env} to Datadog events`,
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: { clusterArn: [props.clusterArn], lastStatus: ['STOPPED'] },
      },
    });
    const stopCode = events.EventField.fromPath('$.detail.stopCode');
    this.taskStopped.addTarget(
      target(
        events.RuleTargetInput.fromObject({
          title: `ECS task stopped in ${props.env}`,
          text: events.EventField.fromPath('$.detail.stoppedReason'),
          alert_type: 'warning',
          aggregation_key: `${props.env}/ecs-task-stopped`,
          tags: [...tags, forwardedEventTag(FORWARDED_EVENTS.ecsTaskStopped), `stop-code:${stopCode}`],
        }),
      ),
    );

    this.failover = new events.Rule(this, 'Failover', {
      description: `Aurora failovers of ${props.env} to Datadog events`,
      eventPattern: {
        source: ['aws.rds'],
        detailType: ['RDS DB Cluster Event'],
        resources: [props.databaseClusterArn],
        detail: { EventCategories: ['failover'] },
      },
    });
    this.failover.addTarget(
      target(
        events.RuleTargetInput.fromObject({
          title: `Aurora failover in ${props.env}`,
          text: events.EventField.fromPath('$.detail.Message'),
          alert_type: 'error',
          aggregation_key: `${props.env}/rds-failover`,
          tags: [
            ...tags,
            forwardedEventTag(FORWARDED_EVENTS.rdsFailover),
            `event-id:${events.EventField.fromPath('$.detail.EventID')}`,
          ],
        }),
      ),
    );
  }
}
