/**
 * Paging through PagerDuty Events API v2: trigger an incident for an environment's service, then
 * acknowledge or resolve it by its deduplication key. For the bot's `/page` and its buttons: data
 * only, the command renders it. The routing key (the service's integration key) is passed in: the
 * bot reads it from the secret named by `pagerduty.routingKeySecretName`.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EnvironmentConfig } from '../config';
import { MonitoringError } from './monitoring-error';
import type { PagerDutyClient } from './pagerduty-client';

/** PagerDuty's event severities. */
export type PageSeverity = 'critical' | 'error' | 'warning' | 'info';

/** What to page about. */
export interface PageRequest {
  /** One line: what is wrong (PagerDuty keeps 1024 characters). */
  readonly summary: string;
  /** The service's Events API v2 integration key. */
  readonly routingKey: string;
  /** Who asked, e.g. the Slack user; shown in the incident's details. */
  readonly requestedBy: string;
  /** @default 'critical' */
  readonly severity?: PageSeverity;
  /** Deduplication key; paging twice with one key opens one incident. @default `<stack>/<uuid>` */
  readonly dedupKey?: string;
  /** Extra details shown on the incident. @default {} */
  readonly details?: Readonly<Record<string, string>>;
  /** A link back, e.g. the Slack thread. */
  readonly link?: { readonly href: string; readonly text: string };
}

/** An incident the bot can act on later: keep it in the message's button values. */
export interface PageHandle {
  readonly env: string;
  readonly dedupKey: string;
}

/** What PagerDuty keeps of a summary. */
export const MAX_SUMMARY_LENGTH = 1024;

const eventResponseSchema = z.object({ status: z.string(), dedup_key: z.string().optional() });

/** Triggers an incident for `env`; resolves to the handle to acknowledge or resolve it. Throws a MonitoringError. */
export async function triggerIncident(
  client: PagerDutyClient,
  env: EnvironmentConfig,
  request: PageRequest,
): Promise<PageHandle> {
  const summary = request.summary.trim();
  if (summary === '')
    throw new MonitoringError('pagerduty', 'rejected', 'a page needs a summary: say what is wrong');
  const dedupKey = request.dedupKey ?? `${env.stackName}/${randomUUID()}`;
  const body = await client.enqueue(
    {
      routing_key: request.routingKey,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: {
        summary: summary.slice(0, MAX_SUMMARY_LENGTH),
        source: env.stackName,
        severity: request.severity ?? 'critical',
        component: 'service',
        group: env.name,
        class: 'manual page',
        custom_details: { environment: env.name, requested_by: request.requestedBy, ...request.details },
      },
      ...(request.link ? { links: [request.link] } : {}),
    },
    `trigger an incident for ${env.name}`,
  );
  const parsed = eventResponseSchema.safeParse(body);
  return { env: env.name, dedupKey: (parsed.success ? parsed.data.dedup_key : undefined) ?? dedupKey };
}

/** Acknowledges the incident of `handle`. Throws a MonitoringError. */
export async function acknowledgeIncident(
  client: PagerDutyClient,
  routingKey: string,
  handle: PageHandle,
): Promise<void> {
  await client.enqueue(
    { routing_key: routingKey, event_action: 'acknowledge', dedup_key: handle.dedupKey },
    `acknowledge the incident of ${handle.env}`,
  );
}

/** Resolves the incident of `handle`. Throws a MonitoringError. */
export async function resolveIncident(
  client: PagerDutyClient,
  routingKey: string,
  handle: PageHandle,
): Promise<void> {
  await client.enqueue(
    { routing_key: routingKey, event_action: 'resolve', dedup_key: handle.dedupKey },
    `resolve the incident of ${handle.env}`,
  );
}
