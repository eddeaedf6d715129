/**
 * Rule: every event monitor counts events that reach Datadog, i.e. the ones the stacks forward.
 *
 * Datadog, "Amazon ECS" integration (https://docs.datadoghq.com/integrations/amazon_ecs/) and
 * "Amazon RDS" integration (https://docs.datadoghq.com/integrations/amazon_rds/): both are metric
 * crawls; neither turns ECS task state changes or RDS cluster events into Datadog events (issue 13's
 * review of the rendered monitors), so `source:amazon_ecs … stopped` and `source:amazon_rds … failover`
 * never match. AWS, EventBridge reference, "Amazon Elastic Container Service events"
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ecs.html): ECS sends `ECS Task State
 * Change` to EventBridge directly (durable delivery). The stacks forward those AWS events through
 * EventBridge (stacks/datadog/event-forwarding.ts, tested in test/stacks/datadog/event-forwarding.test.ts),
 * tagged `wheelhouse-event:<kind>` and `env:<env>`.
 */
import { FORWARDED_EVENTS, forwardedEventTag } from '../../../config';
import { allMonitors } from './rendered';

const FORWARDED_TAGS = Object.values(FORWARDED_EVENTS).map(forwardedEventTag);

describe('forwarded events rule', () => {
  const eventMonitors = allMonitors().filter((m) => m.definition.monitor.type === 'event-v2 alert');

  it('finds the event monitors (the rule has something to check)', () => {
    expect(new Set(eventMonitors.map((m) => m.definition.id))).toEqual(
      new Set(['ecs-task-restarts', 'db-failover']),
    );
  });

  it.each(
    eventMonitors.map((m) => [`${m.source} ${m.env} ${m.definition.id}`, m.env, m.definition.monitor.query]),
  )('%s counts events the stack forwards, of its own environment', (_name, env, query) => {
    const search = /^events\("([^"]*)"\)/.exec(query)?.[1] ?? '';
    expect(search).not.toMatch(/source:amazon_(ecs|rds)/);
    const tags = [...search.matchAll(/tags:(\S+)/g)].map((m) => m[1]);
    expect(tags.filter((t) => FORWARDED_TAGS.includes(t!))).toHaveLength(1);
    expect(search).toContain(`env:${env}`);
  });
});
