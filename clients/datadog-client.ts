/**
 * The Datadog client: the one place it is created, with its base URL, keys and timeout read from
 * the environment once ({@link readDatadogSettings}) and passed in, so tests point it at a local server.
 *
 * The client package is large (the v2 API alone takes seconds to load), so each API is required on
 * first use, and only the sub-package it lives in.
 */

import type { Configuration } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common/configuration';
import type { DashboardsApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/DashboardsApi';
import type { EventsApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/EventsApi';
import type { MonitorsApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/MonitorsApi';
import type { PagerDutyIntegrationApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/PagerDutyIntegrationApi';
import type { SlackIntegrationApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/SlackIntegrationApi';
import type { SyntheticsApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis/SyntheticsApi';
import type { DowntimesApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/apis/DowntimesApi';
import type { MetricsApi } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/apis/MetricsApi';
import { MonitoringError } from './monitoring-error';

/** Where and how to reach Datadog. */
export interface DatadogSettings {
  /** `DD_API_KEY`, or null when not set. */
  readonly apiKey: string | null;
  /** `DD_APP_KEY`, or null when not set. */
  readonly appKey: string | null;
  /** `DD_SITE`, else the environment's `datadog.site`. @default 'datadoghq.com' */
  readonly site: string;
  /** `DATADOG_API_URL` (a proxy, a test server), else `https://api.<site>`. */
  readonly baseUrl: string;
  /** `DATADOG_TIMEOUT_MS`: the deadline of each HTTP attempt. @default 10000 */
  readonly timeoutMs: number;
  /** Retries of a request answered 429 or 5xx, with exponential backoff from 2 s. @default 3 */
  readonly maxRetries: number;
}

/** Default deadline of one Datadog HTTP attempt. */
export const DEFAULT_DATADOG_TIMEOUT_MS = 10_000;

/** Reads the Datadog settings from environment variables; `site` is the configuration's default. */
export function readDatadogSettings(
  env: NodeJS.ProcessEnv = process.env,
  site = 'datadoghq.com',
): DatadogSettings {
  const resolvedSite = nonEmpty(env.DD_SITE) ?? site;
  return {
    apiKey: nonEmpty(env.DD_API_KEY),
    appKey: nonEmpty(env.DD_APP_KEY),
    site: resolvedSite,
    baseUrl: (nonEmpty(env.DATADOG_API_URL) ?? `https://api.${resolvedSite}`).replace(/\/+$/, ''),
    timeoutMs: positiveInt(env.DATADOG_TIMEOUT_MS, 'DATADOG_TIMEOUT_MS') ?? DEFAULT_DATADOG_TIMEOUT_MS,
    maxRetries: 3,
  };
}

/** Names the Datadog keys that are not set, or returns an empty list. */
export function missingDatadogKeys(settings: DatadogSettings): readonly string[] {
  return [...(settings.apiKey ? [] : ['DD_API_KEY']), ...(settings.appKey ? [] : ['DD_APP_KEY'])];
}

/** The Datadog APIs the monitoring code uses, each loaded on first use. */
export interface DatadogClient {
  readonly settings: DatadogSettings;
  monitors(): MonitorsApi;
  dashboards(): DashboardsApi;
  pagerDutyIntegration(): PagerDutyIntegrationApi;
  slackIntegration(): SlackIntegrationApi;
  downtimes(): DowntimesApi;
  events(): EventsApi;
  /** v2 metrics: the tag configurations that enable percentiles on a distribution. */
  metrics(): MetricsApi;
  synthetics(): SyntheticsApi;
  /**
   * The APIs whose creates must not be retried blindly: a create answered 5xx may have landed, and
   * the client's own retry would then make a duplicate. {@link createOnce} retries them instead,
   * after looking for the object by its managed id.
   */
  readonly withoutRetries: {
    monitors(): MonitorsApi;
    synthetics(): SyntheticsApi;
  };
}

const V1 = '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/apis';
const V2 = '@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/apis';
const COMMON = '@datadog/datadog-api-client/dist/packages/datadog-api-client-common';

/**
 * Creates the client; throws a `missing-credentials` {@link MonitoringError} that names the missing keys.
 */
export function createDatadogClient(settings: DatadogSettings): DatadogClient {
  const missing = missingDatadogKeys(settings);
  if (missing.length > 0) {
    throw new MonitoringError(
      'datadog',
      'missing-credentials',
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: create an API key and an application key in Datadog (Organization Settings → API Keys / Application Keys) and export them`,
    );
  }
  const configurations = new Map<boolean, Configuration>();
  const config = (retry: boolean): Configuration => {
    if (!configurations.has(retry)) configurations.set(retry, createConfiguration(settings, retry));
    return configurations.get(retry)!;
  };
  const cache = new Map<string, unknown>();
  const api = <T>(path: string, name: string, retry = true): T => {
    const key = `${retry}:${path}`;
    if (!cache.has(key)) {
      const Api = (require(path) as Record<string, new (c: Configuration) => T>)[name]!;
      cache.set(key, new Api(config(retry)));
    }
    return cache.get(key) as T;
  };
  return {
    settings,
    monitors: () => api<MonitorsApi>(`${V1}/MonitorsApi`, 'MonitorsApi'),
    dashboards: () => api<DashboardsApi>(`${V1}/DashboardsApi`, 'DashboardsApi'),
    pagerDutyIntegration: () =>
      api<PagerDutyIntegrationApi>(`${V1}/PagerDutyIntegrationApi`, 'PagerDutyIntegrationApi'),
    slackIntegration: () => api<SlackIntegrationApi>(`${V1}/SlackIntegrationApi`, 'SlackIntegrationApi'),
    downtimes: () => api<DowntimesApi>(`${V2}/DowntimesApi`, 'DowntimesApi'),
    events: () => api<EventsApi>(`${V1}/EventsApi`, 'EventsApi'),
    metrics: () => api<MetricsApi>(`${V2}/MetricsApi`, 'MetricsApi'),
    synthetics: () => api<SyntheticsApi>(`${V1}/SyntheticsApi`, 'SyntheticsApi'),
    withoutRetries: {
      monitors: () => api<MonitorsApi>(`${V1}/MonitorsApi`, 'MonitorsApi', false),
      synthetics: () => api<SyntheticsApi>(`${V1}/SyntheticsApi`, 'SyntheticsApi', false),
    },
  };
}

function createConfiguration(settings: DatadogSettings, retry: boolean): Configuration {
  const common = require(
    `${COMMON}/configuration`,
  ) as typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-common/configuration');
  const servers = require(
    `${COMMON}/servers`,
  ) as typeof import('@datadog/datadog-api-client/dist/packages/datadog-api-client-common/servers');
  const { logger } = require('@datadog/datadog-api-client/dist/logger') as {
    logger: { setLevel(level: string): void };
  };
  // The client logs every failed request itself; ours are converted and reported once, without noise.
  logger.setLevel('silent');
  const timeoutMs = settings.timeoutMs;
  return common.createConfiguration({
    // An explicit base server: the client otherwise reads DD_SITE from process.env behind our back.
    baseServer: new servers.BaseServerConfiguration(settings.baseUrl, {}),
    authMethods: { apiKeyAuth: settings.apiKey!, appKeyAuth: settings.appKey! },
    enableRetry: retry,
    maxRetries: settings.maxRetries,
    // A deadline per attempt: the client's own fetch has none.
    fetch: (url: string, init: RequestInit = {}) =>
      fetch(url, {
        ...init,
        signal: init.signal
          ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs),
      }),
  });
}

function nonEmpty(value: string | undefined): string | null {
  return value && value.trim() !== '' ? value.trim() : null;
}

function positiveInt(value: string | undefined, name: string): number | null {
  if (value === undefined || value === '') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive number of milliseconds, got ${value}`);
  return n;
}
