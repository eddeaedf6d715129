import {
  dashboardFields,
  diffFields,
  monitorFields,
  normaliseMessage,
  normaliseQuery,
} from '../../../monitors/sync/owned-fields';
import type { Json } from '../../../monitors/wire';

const desired = {
  name: '[prod] Aurora CPU',
  type: 'query alert',
  query:
    'avg(last_15m):avg:aws.rds.cpuutilization{wheelhouse:environment:prod} by {dbinstanceidentifier} > 90',
  message: 'Aurora CPU\n@slack-ops',
  tags: ['env:prod', 'managed-by:wheelhouse', 'monitor-id:db-cpu'],
  priority: 3,
  options: { thresholds: { critical: 90, warning: 80 }, renotify_interval: 0, evaluation_delay: 900 },
};

describe('owned fields', () => {
  it.each<[string, (actual: Record<string, unknown>) => Record<string, unknown>]>([
    ['type metric alert for query alert', (a) => ({ ...a, type: 'metric alert' })],
    ['tags in another order', (a) => ({ ...a, tags: [...(a.tags as string[])].reverse() })],
    [
      'whitespace around query operators',
      (a) => ({ ...a, query: String(a.query).replace(' > ', '>').replace('} by {', '}  by  {') }),
    ],
    [
      'CRLF line endings and trailing blank lines in the message',
      (a) => ({ ...a, message: 'Aurora CPU  \r\n@slack-ops\r\n\r\n' }),
    ],
    [
      'default options Datadog adds',
      (a) => ({
        ...a,
        options: { ...(a.options as object), notify_audit: false, silenced: {}, locked: false },
      }),
    ],
    [
      'null for a zero renotify interval',
      (a) => ({ ...a, options: { ...(a.options as object), renotify_interval: null } }),
    ],
    [
      'fields only Datadog sets',
      (a) => ({
        ...a,
        id: 1234,
        created: '2026-01-01T00:00:00Z',
        overall_state: 'Alert',
        creator: { name: 'x' },
      }),
    ],
  ])('ignore %s', (_name, normalise) => {
    // WHEN Datadog hands back what we sent, normalised
    const changes = diffFields(monitorFields(desired as Json), monitorFields(normalise(desired) as Json));
    // THEN nothing is drift
    expect(changes).toEqual([]);
  });

  it.each<[string, (actual: Record<string, unknown>) => Record<string, unknown>, string]>([
    [
      'a changed threshold',
      (a) => ({ ...a, options: { ...(a.options as object), thresholds: { critical: 95, warning: 80 } } }),
      'options.thresholds.critical',
    ],
    [
      'a removed warning',
      (a) => ({ ...a, options: { ...(a.options as object), thresholds: { critical: 90 } } }),
      'options.thresholds.warning',
    ],
    [
      'a warning added by hand',
      (a) => ({
        ...a,
        options: {
          ...(a.options as object),
          thresholds: { critical: 90, warning: 80, warning_recovery: 70 },
        },
      }),
      'options.thresholds.warning_recovery',
    ],
    ['a tag added by hand', (a) => ({ ...a, tags: [...(a.tags as string[]), 'team:db'] }), 'tags'],
    ['another recipient in the message', (a) => ({ ...a, message: 'Aurora CPU\n@slack-other' }), 'message'],
    ['a renamed monitor', (a) => ({ ...a, name: '[prod] CPU' }), 'name'],
  ])('show %s', (_name, edit, path) => {
    const changes = diffFields(monitorFields(desired as Json), monitorFields(edit(desired) as Json));
    expect(changes.map((c) => c.path)).toContain(path);
  });

  it('compares dashboards on the fields we set, not the widget ids Datadog adds', () => {
    // GIVEN a dashboard as we send it and as Datadog returns it
    const ours = {
      title: 'T',
      layout_type: 'ordered',
      widgets: [{ definition: { type: 'note', content: 'hi' } }],
    };
    const theirs = {
      ...ours,
      id: 'abc',
      widgets: [{ id: 7, definition: { type: 'note', content: 'hi', show_tick: false } }],
    };
    // THEN they match, and an extra widget is a change
    expect(diffFields(dashboardFields(ours), dashboardFields(theirs))).toEqual([]);
    const more = {
      ...theirs,
      widgets: [...theirs.widgets, { id: 8, definition: { type: 'note', content: 'x' } }],
    };
    expect(diffFields(dashboardFields(ours), dashboardFields(more))).toEqual([
      { path: 'widgets.#', desired: 1, actual: 2 },
    ]);
  });

  it.each([
    ['avg(last_5m): avg:x{a:b}  by {c} >  5', 'avg(last_5m):avg:x{a:b}by{c}>5'],
    ['sum:a{x}.as_count() / sum:b{x}.as_count() * 100', 'sum:a{x}.as_count()/sum:b{x}.as_count()*100'],
  ])('normalises the query %j', (query, expected) => {
    expect(normaliseQuery(query)).toBe(expected);
  });

  it('normalises a message to LF without trailing whitespace', () => {
    expect(normaliseMessage('a  \r\nb\r\n\r\n')).toBe('a\nb');
  });
});
