/**
 * A local server that speaks the parts of Datadog's API that Wheelhouse uses: monitors, dashboards,
 * synthetic API tests, downtimes (v2), metrics tag configurations (v2), and the PagerDuty and Slack integrations. It answers with complete objects, since
 * the Datadog client validates response bodies, and it normalises what it stores the way Datadog
 * does (type `query alert` comes back as `metric alert`, default options appear, tags are sorted),
 * so tests can prove that normalisation is not drift.
 *
 * Usage: `const dd = await DatadogFake.start(); process.env = { ...dd.env() }; … await dd.close()`.
 */
import { randomUUID } from 'node:crypto';
import { type FakeResponse, type FakeRoute, HttpFake, type RecordedRequest } from './http-fake';

/** A JSON object as the fake stores it (Datadog's wire format). */
export type WireObject = Record<string, unknown>;

/** Options of {@link DatadogFake.start}. */
export interface DatadogFakeOptions {
  /** The API key the fake accepts. @default 'test-api-key' */
  readonly apiKey?: string;
  /** The application key the fake accepts. @default 'test-app-key' */
  readonly appKey?: string;
}

const CREATOR = { email: 'ops@example.com', handle: 'ops@example.com', name: 'Ops' };

/** Options Datadog fills in on every monitor it stores. */
const MONITOR_OPTION_DEFAULTS: WireObject = {
  notify_audit: false,
  include_tags: true,
  new_host_delay: 300,
  silenced: {},
  escalation_message: '',
  locked: false,
  notify_no_data: false,
  no_data_timeframe: null,
  renotify_interval: null,
  evaluation_delay: null,
  require_full_window: true,
};

/** The fake Datadog. */
export class DatadogFake {
  /** Monitors by id, as Datadog would return them. */
  readonly monitors = new Map<number, WireObject>();
  /** Dashboards by id. */
  readonly dashboards = new Map<string, WireObject>();
  /** Downtimes by id (v2 `data` objects). */
  readonly downtimes = new Map<string, WireObject>();
  /** Events posted (`POST /api/v1/events`), in wire format. */
  readonly events: WireObject[] = [];
  /**
   * Metrics tag configurations by metric name (v2 `data` objects, `type: manage_tags`), as
   * `GET /api/v2/metrics/{metric_name}/tags` returns them.
   */
  readonly tagConfigurations = new Map<string, WireObject>();
  /** Metric names Datadog has received (a tag configuration can only be created for one of them). */
  readonly knownMetrics = new Set<string>(['wheelhouse.request.duration']);
  /** Metric types of {@link knownMetrics}, for the metric_type check. @default distribution */
  readonly metricTypes = new Map<string, string>();
  /** Service names configured in Datadog's PagerDuty integration. */
  readonly pagerDutyServices = new Set<string>();
  /** Slack accounts → channel names (with `#`) configured in Datadog's Slack integration. */
  readonly slackChannels = new Map<string, Set<string>>();
  /**
   * Synthetic API tests by public id, as Datadog returns them (Datadog API reference, "Synthetics":
   * https://docs.datadoghq.com/api/latest/synthetics/ — create an API test, get/edit an API test,
   * get the list of all tests, delete tests).
   */
  readonly synthetics = new Map<string, WireObject>();
  /** Creates (monitor or synthetic test) still to be stored and then answered with a 5xx, as a Datadog that fails after the write. */
  private failAfterCreate: { count: number; status: number } = { count: 0, status: 500 };
  private nextMonitorId = 1000;
  private nextWidgetId = 1;

  private constructor(
    readonly http: HttpFake,
    readonly apiKey: string,
    readonly appKey: string,
  ) {}

  /** Starts the fake on a free local port. */
  static async start(options: DatadogFakeOptions = {}): Promise<DatadogFake> {
    const apiKey = options.apiKey ?? 'test-api-key';
    const appKey = options.appKey ?? 'test-app-key';
    let fake: DatadogFake | undefined;
    const http = await HttpFake.start(
      DatadogFake.routes(() => fake!),
      (request) => {
        // Posting an event takes the API key alone, as in Datadog; everything else takes both keys.
        const needsAppKey = !(request.method === 'POST' && request.path === '/api/v1/events');
        if (
          request.headers['dd-api-key'] !== apiKey ||
          (needsAppKey && request.headers['dd-application-key'] !== appKey)
        ) {
          return { status: 403, body: { errors: ['Forbidden'] } };
        }
        return null;
      },
    );
    fake = new DatadogFake(http, apiKey, appKey);
    return fake;
  }

  /** Base URL, for DATADOG_API_URL. */
  get url(): string {
    return this.http.url;
  }

  /** Environment variables that point the Datadog client here. */
  env(): NodeJS.ProcessEnv {
    return {
      DD_API_KEY: this.apiKey,
      DD_APP_KEY: this.appKey,
      DATADOG_API_URL: this.url,
      DD_SITE: 'datadoghq.com',
    };
  }

  /** Stores a monitor as if someone created it; returns its id. */
  seedMonitor(body: WireObject): number {
    const id = this.nextMonitorId++;
    this.monitors.set(id, this.storedMonitor(id, body));
    return id;
  }

  /** Sets a monitor's overall state (`OK`, `Alert`, `Warn`, `No Data`). */
  setMonitorState(id: number, state: string): void {
    const monitor = this.monitors.get(id);
    if (!monitor) throw new Error(`no monitor ${id}`);
    monitor.overall_state = state;
  }

  /** The id of the monitor carrying a tag, e.g. `monitor-id:alb-5xx-rate`. */
  monitorIdByTag(tag: string): number {
    for (const [id, m] of this.monitors) if ((m.tags as string[]).includes(tag)) return id;
    throw new Error(`no monitor tagged ${tag}`);
  }

  /**
   * Stores the next `count` creates (monitors and synthetic tests) and then answers them `status`,
   * as when Datadog's write lands but the response is lost: a client that simply retries makes a duplicate.
   */
  failAfterNextCreate(count = 1, status = 500): void {
    this.failAfterCreate = { count, status };
  }

  /** Requests that changed something. */
  writes(): readonly RecordedRequest[] {
    return this.http.writes();
  }

  /** Stops the server. */
  close(): Promise<void> {
    return this.http.close();
  }

  private static routes(get: () => DatadogFake): readonly FakeRoute[] {
    return [
      { method: 'GET', pattern: '/api/v1/monitor', handle: (r) => get().listMonitors(r) },
      { method: 'POST', pattern: '/api/v1/monitor', handle: (r) => get().createMonitor(r) },
      { method: 'GET', pattern: '/api/v1/monitor/:id', handle: (_r, p) => get().getMonitor(Number(p.id)) },
      {
        method: 'PUT',
        pattern: '/api/v1/monitor/:id',
        handle: (r, p) => get().updateMonitor(Number(p.id), r),
      },
      {
        method: 'DELETE',
        pattern: '/api/v1/monitor/:id',
        handle: (_r, p) => get().deleteMonitor(Number(p.id)),
      },
      { method: 'GET', pattern: '/api/v1/synthetics/tests', handle: (r) => get().listSynthetics(r) },
      { method: 'POST', pattern: '/api/v1/synthetics/tests/api', handle: (r) => get().createSynthetic(r) },
      {
        method: 'GET',
        pattern: '/api/v1/synthetics/tests/api/:id',
        handle: (_r, p) => get().getSynthetic(p.id!),
      },
      {
        method: 'PUT',
        pattern: '/api/v1/synthetics/tests/api/:id',
        handle: (r, p) => get().updateSynthetic(p.id!, r),
      },
      {
        method: 'POST',
        pattern: '/api/v1/synthetics/tests/delete',
        handle: (r) => get().deleteSynthetics(r),
      },
      { method: 'GET', pattern: '/api/v1/dashboard', handle: () => get().listDashboards() },
      { method: 'POST', pattern: '/api/v1/dashboard', handle: (r) => get().createDashboard(r) },
      { method: 'GET', pattern: '/api/v1/dashboard/:id', handle: (_r, p) => get().getDashboard(p.id!) },
      { method: 'PUT', pattern: '/api/v1/dashboard/:id', handle: (r, p) => get().updateDashboard(p.id!, r) },
      { method: 'DELETE', pattern: '/api/v1/dashboard/:id', handle: (_r, p) => get().deleteDashboard(p.id!) },
      { method: 'POST', pattern: '/api/v2/downtime', handle: (r) => get().createDowntime(r) },
      { method: 'POST', pattern: '/api/v1/events', handle: (r) => get().createEvent(r) },
      { method: 'GET', pattern: '/api/v2/downtime/:id', handle: (_r, p) => get().getDowntime(p.id!) },
      { method: 'GET', pattern: '/api/v2/metrics', handle: (r) => get().listTagConfigurations(r) },
      {
        method: 'GET',
        pattern: '/api/v2/metrics/:name/tags',
        handle: (_r, p) => get().getTagConfiguration(p.name!),
      },
      {
        method: 'POST',
        pattern: '/api/v2/metrics/:name/tags',
        handle: (r, p) => get().createTagConfiguration(p.name!, r),
      },
      {
        method: 'PATCH',
        pattern: '/api/v2/metrics/:name/tags',
        handle: (r, p) => get().updateTagConfiguration(p.name!, r),
      },
      { method: 'DELETE', pattern: '/api/v2/downtime/:id', handle: (_r, p) => get().cancelDowntime(p.id!) },
      { method: 'PATCH', pattern: '/api/v2/downtime/:id', handle: (r, p) => get().updateDowntime(p.id!, r) },
      {
        method: 'GET',
        pattern: '/api/v1/integration/pagerduty/configuration/services/:name',
        handle: (_r, p) =>
          get().pagerDutyServices.has(p.name!)
            ? { status: 200, body: { service_name: p.name } }
            : { status: 404, body: { errors: ['PagerDuty service not found'] } },
      },
      {
        method: 'GET',
        pattern: '/api/v1/integration/slack/configuration/accounts/:account/channels',
        handle: (_r, p) => {
          const channels = get().slackChannels.get(p.account!);
          if (!channels) return { status: 404, body: { errors: ['Slack account not found'] } };
          return {
            status: 200,
            body: [...channels].map((name) => ({
              name,
              display: { message: true, notified: true, snapshot: true, tags: true },
            })),
          };
        },
      },
    ];
  }

  private listMonitors(r: RecordedRequest): FakeResponse {
    const wanted = (r.query.get('monitor_tags') ?? '').split(',').filter(Boolean);
    const page = Number(r.query.get('page') ?? 0);
    const size = Number(r.query.get('page_size') ?? 100);
    const all = [...this.monitors.values()].filter((m) =>
      wanted.every((t) => (m.tags as string[]).includes(t)),
    );
    return { status: 200, body: all.slice(page * size, (page + 1) * size) };
  }

  private createMonitor(r: RecordedRequest): FakeResponse {
    const body = r.body as WireObject;
    if (typeof body?.query !== 'string' || typeof body.type !== 'string') {
      return { status: 400, body: { errors: ['The value provided for parameter "query" is invalid'] } };
    }
    const id = this.seedMonitor(body);
    return this.created(this.monitors.get(id));
  }

  /** The answer to a create that was stored: 200, unless a fault says the response is lost. */
  private created(body: unknown): FakeResponse {
    if (this.failAfterCreate.count > 0) {
      this.failAfterCreate.count -= 1;
      return { status: this.failAfterCreate.status, body: { errors: ['Internal Server Error'] } };
    }
    return { status: 200, body };
  }

  private listSynthetics(r: RecordedRequest): FakeResponse {
    const size = Number(r.query.get('page_size') ?? 100);
    const page = Number(r.query.get('page_number') ?? 0);
    const tests = [...this.synthetics.values()].slice(page * size, (page + 1) * size);
    return { status: 200, body: { tests } };
  }

  /** What Datadog checks of an API test before storing it (the parts our tests depend on). */
  private invalidSynthetic(body: WireObject | null): string | null {
    if (!body || typeof body.name !== 'string' || typeof body.message !== 'string')
      return 'name and message are required';
    if (body.type !== 'api') return 'type must be api';
    const subtype = body.subtype;
    const config = body.config as { request?: WireObject; assertions?: WireObject[] } | undefined;
    if (!config?.request) return 'config.request is required';
    if (!Array.isArray(config.assertions) || config.assertions.length === 0)
      return 'config.assertions is required';
    if (subtype === 'http' && typeof config.request.url !== 'string') return 'an HTTP test needs request.url';
    if (subtype === 'grpc' && (typeof config.request.host !== 'string' || config.request.port === undefined))
      return 'a gRPC test needs request.host and request.port';
    if (subtype !== 'http' && subtype !== 'grpc')
      return `subtype ${String(subtype)} is not served by this fake`;
    const locations = body.locations as unknown[] | undefined;
    if (!Array.isArray(locations) || locations.length === 0) return 'locations must not be empty';
    const tick = (body.options as WireObject | undefined)?.tick_every;
    if (typeof tick !== 'number' || tick < 30 || tick > 604800)
      return 'options.tick_every must be 30..604800';
    return null;
  }

  private createSynthetic(r: RecordedRequest): FakeResponse {
    const body = r.body as WireObject | null;
    const invalid = this.invalidSynthetic(body);
    if (invalid) return { status: 400, body: { errors: [invalid] } };
    const part = () => randomUUID().replace(/-/g, '').slice(0, 3);
    const publicId = `${part()}-${part()}-${part()}`;
    const stored = this.storedSynthetic(publicId, body!);
    this.synthetics.set(publicId, stored);
    return this.created(stored);
  }

  private getSynthetic(publicId: string): FakeResponse {
    const t = this.synthetics.get(publicId);
    return t ? { status: 200, body: t } : { status: 404, body: { errors: ['Synthetics test not found'] } };
  }

  private updateSynthetic(publicId: string, r: RecordedRequest): FakeResponse {
    const existing = this.synthetics.get(publicId);
    if (!existing) return { status: 404, body: { errors: ['Synthetics test not found'] } };
    const invalid = this.invalidSynthetic(r.body as WireObject | null);
    if (invalid) return { status: 400, body: { errors: [invalid] } };
    const stored = this.storedSynthetic(publicId, r.body as WireObject, existing);
    this.synthetics.set(publicId, stored);
    return { status: 200, body: stored };
  }

  private deleteSynthetics(r: RecordedRequest): FakeResponse {
    const ids = ((r.body as { public_ids?: string[] } | null)?.public_ids ?? []).filter((id) => {
      const monitorId = this.synthetics.get(id)?.monitor_id as number | undefined;
      if (monitorId !== undefined) this.monitors.delete(monitorId);
      return this.synthetics.delete(id);
    });
    const now = new Date().toISOString();
    return { status: 200, body: { deleted_tests: ids.map((public_id) => ({ public_id, deleted_at: now })) } };
  }

  /**
   * Datadog adds the public id, the monitor behind the test, its creator and dates; tags are kept as
   * sent. The monitor (type `synthetics alert`) carries the test's name, message and tags, so it is
   * listed by the managed tags like any monitor.
   */
  private storedSynthetic(publicId: string, body: WireObject, existing?: WireObject): WireObject {
    const now = new Date().toISOString();
    const monitorId = (existing?.monitor_id as number | undefined) ?? this.nextMonitorId++;
    this.monitors.set(
      monitorId,
      this.storedMonitor(monitorId, {
        name: body.name,
        type: 'synthetics alert',
        query: `"synthetics.test_run".over("public_id:${publicId}").by("location")`,
        message: body.message,
        tags: body.tags,
      }),
    );
    return {
      ...body,
      public_id: publicId,
      monitor_id: monitorId,
      status: body.status ?? 'live',
      tags: [...((body.tags as string[] | undefined) ?? [])],
      creator: CREATOR,
      created_at: existing?.created_at ?? now,
      modified_at: now,
    };
  }

  private getMonitor(id: number): FakeResponse {
    const m = this.monitors.get(id);
    return m ? { status: 200, body: m } : { status: 404, body: { errors: ['Monitor not found'] } };
  }

  private updateMonitor(id: number, r: RecordedRequest): FakeResponse {
    const existing = this.monitors.get(id);
    if (!existing) return { status: 404, body: { errors: ['Monitor not found'] } };
    const merged = this.storedMonitor(id, { ...existing, ...(r.body as WireObject) }, existing);
    this.monitors.set(id, merged);
    return { status: 200, body: merged };
  }

  private deleteMonitor(id: number): FakeResponse {
    if (!this.monitors.delete(id)) return { status: 404, body: { errors: ['Monitor not found'] } };
    return { status: 200, body: { deleted_monitor_id: id } };
  }

  /** What Datadog stores and returns: every field present, defaults filled in, tags sorted. */
  private storedMonitor(id: number, body: WireObject, existing?: WireObject): WireObject {
    const now = new Date().toISOString();
    const options = { ...MONITOR_OPTION_DEFAULTS, ...((body.options as WireObject | undefined) ?? {}) };
    return {
      id,
      name: body.name ?? '',
      // Datadog answers `metric alert` for a simple `query alert`: the first normalisation people meet.
      type: body.type === 'query alert' ? 'metric alert' : body.type,
      query: body.query,
      message: body.message ?? '',
      tags: [...((body.tags as string[] | undefined) ?? [])].sort(),
      options,
      priority: body.priority ?? null,
      multi: false,
      created: existing?.created ?? now,
      modified: now,
      deleted: null,
      creator: CREATOR,
      overall_state: existing?.overall_state ?? 'OK',
      restricted_roles: null,
      draft_status: 'published',
    };
  }

  private listDashboards(): FakeResponse {
    const summaries = [...this.dashboards.values()].map((d) => ({
      id: d.id,
      title: d.title,
      description: d.description,
      layout_type: d.layout_type,
      url: d.url,
      author_handle: d.author_handle,
      created_at: d.created_at,
      modified_at: d.modified_at,
      is_read_only: false,
    }));
    return { status: 200, body: { dashboards: summaries } };
  }

  private createDashboard(r: RecordedRequest): FakeResponse {
    const id = `${randomUUID().slice(0, 3)}-${randomUUID().slice(0, 3)}-${randomUUID().slice(0, 3)}`;
    const dashboard = this.storedDashboard(id, r.body as WireObject);
    this.dashboards.set(id, dashboard);
    return { status: 200, body: dashboard };
  }

  private getDashboard(id: string): FakeResponse {
    const d = this.dashboards.get(id);
    return d ? { status: 200, body: d } : { status: 404, body: { errors: ['Dashboard not found'] } };
  }

  private updateDashboard(id: string, r: RecordedRequest): FakeResponse {
    const existing = this.dashboards.get(id);
    if (!existing) return { status: 404, body: { errors: ['Dashboard not found'] } };
    const d = this.storedDashboard(id, r.body as WireObject, existing);
    this.dashboards.set(id, d);
    return { status: 200, body: d };
  }

  private deleteDashboard(id: string): FakeResponse {
    if (!this.dashboards.delete(id)) return { status: 404, body: { errors: ['Dashboard not found'] } };
    return { status: 200, body: { deleted_dashboard_id: id } };
  }

  /** Datadog gives every widget an id and fills in the author, dates and URL. */
  private storedDashboard(id: string, body: WireObject, existing?: WireObject): WireObject {
    const now = new Date().toISOString();
    const withIds = (widgets: unknown): unknown =>
      Array.isArray(widgets)
        ? widgets.map((w: WireObject) => {
            const definition = w.definition as WireObject;
            return {
              ...w,
              id: this.nextWidgetId++,
              definition: definition.widgets
                ? { ...definition, widgets: withIds(definition.widgets) }
                : definition,
            };
          })
        : [];
    return {
      ...body,
      id,
      widgets: withIds(body.widgets),
      url: `/dashboard/${id}`,
      author_handle: CREATOR.handle,
      author_name: CREATOR.name,
      created_at: existing?.created_at ?? now,
      modified_at: now,
      is_read_only: false,
      notify_list: [],
      restricted_roles: [],
      tags: null,
      template_variable_presets: [],
    };
  }

  private createDowntime(r: RecordedRequest): FakeResponse {
    const data = (r.body as { data?: { attributes?: WireObject } } | null)?.data;
    const attributes = data?.attributes;
    if (!attributes?.scope || !attributes.monitor_identifier) {
      return { status: 400, body: { errors: ['scope and monitor_identifier are required'] } };
    }
    const now = new Date().toISOString();
    const schedule = (attributes.schedule as WireObject | undefined) ?? {};
    const id = randomUUID();
    const downtime = {
      id,
      type: 'downtime',
      attributes: {
        ...attributes,
        schedule: { start: schedule.start ?? now, end: schedule.end ?? null },
        created: now,
        modified: now,
        canceled: null,
        status: 'active',
        display_timezone: 'UTC',
        mute_first_recovery_notification: attributes.mute_first_recovery_notification ?? false,
        notify_end_states: attributes.notify_end_states ?? ['alert', 'no data', 'warn'],
        notify_end_types: attributes.notify_end_types ?? ['expired'],
      },
    };
    this.downtimes.set(id, downtime);
    return { status: 200, body: { data: downtime } };
  }

  private createEvent(r: RecordedRequest): FakeResponse {
    const body = r.body as WireObject | null;
    if (typeof body?.title !== 'string' || typeof body.text !== 'string') {
      return { status: 400, body: { errors: ['title and text are required'] } };
    }
    const event = {
      ...body,
      id: this.events.length + 1,
      date_happened: Math.floor(Date.now() / 1000),
      url: `/event/event?id=${this.events.length + 1}`,
    };
    this.events.push(event);
    return { status: 202, body: { status: 'ok', event } };
  }

  /*
   * Metrics tag configurations, as Datadog's API reference describes them
   * (https://docs.datadoghq.com/api/latest/metrics/#create-a-tag-configuration, "Update a tag
   * configuration", "List tag configuration by name", "Get a list of metrics"): the request is
   * `{data: {id: <metric>, type: 'manage_tags', attributes: {tags, metric_type, include_percentiles}}}`;
   * create answers 201 and 409 when one exists, update answers 200 and 404 when none does, get
   * answers 404 when the metric has none. Request bodies are checked against the client's own v2
   * model (its ObjectSerializer), so a body Datadog would refuse fails here too.
   */

  private listTagConfigurations(r: RecordedRequest): FakeResponse {
    const configuredOnly = r.query.get('filter[configured]') === 'true';
    const data = [...this.knownMetrics].sort().flatMap((name) => {
      const configured = this.tagConfigurations.get(name);
      if (configured) return [configured];
      return configuredOnly ? [] : [{ id: name, type: 'metrics' }];
    });
    return { status: 200, body: { data } };
  }

  private getTagConfiguration(name: string): FakeResponse {
    const c = this.tagConfigurations.get(name);
    return c
      ? { status: 200, body: { data: c } }
      : { status: 404, body: { errors: [`Tag configuration for metric ${name} not found`] } };
  }

  private createTagConfiguration(name: string, r: RecordedRequest): FakeResponse {
    const invalid = invalidV2Body(r.body, 'MetricTagConfigurationCreateRequest', name);
    if (invalid) return { status: 400, body: { errors: [invalid] } };
    if (!this.knownMetrics.has(name)) return { status: 404, body: { errors: [`Metric ${name} not found`] } };
    if (this.tagConfigurations.has(name)) {
      return { status: 409, body: { errors: [`Tag configuration for metric ${name} already exists`] } };
    }
    const attributes = (r.body as { data: { attributes: WireObject } }).data.attributes;
    const type = this.metricTypes.get(name) ?? 'distribution';
    if (attributes.metric_type !== type) {
      return {
        status: 400,
        body: { errors: [`metric_type ${String(attributes.metric_type)} is not ${type}`] },
      };
    }
    if (attributes.include_percentiles === true && type !== 'distribution') {
      return { status: 400, body: { errors: ['include_percentiles is only for distributions'] } };
    }
    const now = new Date().toISOString();
    const stored = {
      id: name,
      type: 'manage_tags',
      attributes: {
        tags: [...(attributes.tags as string[])],
        metric_type: type,
        include_percentiles: attributes.include_percentiles ?? false,
        exclude_tags_mode: attributes.exclude_tags_mode ?? false,
        aggregations: [],
        created_at: now,
        modified_at: now,
      },
    };
    this.tagConfigurations.set(name, stored);
    return { status: 201, body: { data: stored } };
  }

  private updateTagConfiguration(name: string, r: RecordedRequest): FakeResponse {
    const invalid = invalidV2Body(r.body, 'MetricTagConfigurationUpdateRequest', name);
    if (invalid) return { status: 400, body: { errors: [invalid] } };
    const existing = this.tagConfigurations.get(name);
    if (!existing)
      return { status: 404, body: { errors: [`Tag configuration for metric ${name} not found`] } };
    const attributes = (r.body as { data: { attributes: WireObject } }).data.attributes;
    const old = existing.attributes as WireObject;
    const stored = {
      ...existing,
      attributes: {
        ...old,
        ...(attributes.tags === undefined ? {} : { tags: [...(attributes.tags as string[])] }),
        ...(attributes.include_percentiles === undefined
          ? {}
          : { include_percentiles: attributes.include_percentiles }),
        ...(attributes.exclude_tags_mode === undefined
          ? {}
          : { exclude_tags_mode: attributes.exclude_tags_mode }),
        modified_at: new Date().toISOString(),
      },
    };
    this.tagConfigurations.set(name, stored);
    return { status: 200, body: { data: stored } };
  }

  private getDowntime(id: string): FakeResponse {
    const d = this.downtimes.get(id);
    return d ? { status: 200, body: { data: d } } : { status: 404, body: { errors: ['Downtime not found'] } };
  }

  /** `PATCH /api/v2/downtime/{id}`: the attributes given replace the stored ones; a schedule keeps what it does not name. */
  private updateDowntime(id: string, r: RecordedRequest): FakeResponse {
    const d = this.downtimes.get(id);
    if (!d) return { status: 404, body: { errors: ['Downtime not found'] } };
    const invalid = invalidV2Body(r.body, 'DowntimeUpdateRequest', id);
    if (invalid) return { status: 400, body: { errors: [invalid] } };
    const attributes = (r.body as { data: { attributes: WireObject } }).data.attributes;
    const old = d.attributes as WireObject;
    const schedule = attributes.schedule
      ? { ...(old.schedule as WireObject), ...(attributes.schedule as WireObject) }
      : old.schedule;
    d.attributes = { ...old, ...attributes, schedule, modified: new Date().toISOString() };
    return { status: 200, body: { data: d } };
  }

  private cancelDowntime(id: string): FakeResponse {
    const d = this.downtimes.get(id);
    if (!d) return { status: 404, body: { errors: ['Downtime not found'] } };
    const attributes = d.attributes as WireObject;
    attributes.status = 'canceled';
    attributes.canceled = new Date().toISOString();
    return { status: 204 };
  }
}

type V2Serializer = { deserialize(data: unknown, type: string, format?: string): unknown };
let v2Serializer: V2Serializer | undefined;

/** Why a v2 request body is not what the client's model (and so Datadog) accepts, or null (`id`: the path's id). */
function invalidV2Body(body: unknown, type: string, id: string): string | null {
  v2Serializer ??= (
    require('@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/models/ObjectSerializer') as {
      ObjectSerializer: V2Serializer;
    }
  ).ObjectSerializer;
  try {
    const parsed = v2Serializer.deserialize(body, type, '');
    // An unknown enum value does not throw: the model marks it unparsed.
    if (JSON.stringify(parsed).includes('"_unparsed":true'))
      return `${type}: a value is not one the API allows`;
  } catch (error) {
    return `${type}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const bodyId = (body as { data?: { id?: unknown } }).data?.id;
  if (bodyId !== id) return `data.id ${String(bodyId)} is not the id of the path (${id})`;
  return null;
}
