/**
 * A local server that speaks the parts of PagerDuty that Wheelhouse uses: the REST API (services,
 * escalation policies, on-calls; `Authorization: Token token=…`) and Events API v2 (`/v2/enqueue`
 * with trigger, acknowledge, resolve and deduplication keys), answering with PagerDuty's shapes.
 *
 * Usage: `const pd = await PagerDutyFake.start(); … createPagerDutyClient(readPagerDutySettings(pd.env()))`.
 */
import { randomBytes } from 'node:crypto';
import { type FakeResponse, type FakeRoute, HttpFake, type RecordedRequest } from './http-fake';

/** Options of {@link PagerDutyFake.start}. */
export interface PagerDutyFakeOptions {
  /** The REST API token the fake accepts. @default 'test-pd-token' */
  readonly token?: string;
}

/** A service, as the tests describe it. */
export interface FakeService {
  readonly id: string;
  readonly name: string;
  readonly escalationPolicyId: string;
}

/** An on-call entry: who is on call at a level of a policy, from `start` to `end` (null: always). */
export interface FakeOnCall {
  readonly escalationPolicyId: string;
  readonly level: number;
  readonly userId: string;
  readonly userName: string;
  readonly start: string | null;
  readonly end: string | null;
  readonly scheduleName?: string;
}

/** An incident opened through Events API v2, by deduplication key. */
export interface FakeIncident {
  readonly dedupKey: string;
  readonly routingKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  readonly summary: string;
  readonly severity: string;
  readonly source: string;
}

/** The fake PagerDuty. */
export class PagerDutyFake {
  readonly services = new Map<string, FakeService>();
  readonly escalationPolicies = new Map<string, { id: string; name: string }>();
  readonly oncalls: FakeOnCall[] = [];
  /** Routing keys (integration keys) the Events API accepts. */
  readonly routingKeys = new Set<string>();
  readonly incidents = new Map<string, FakeIncident>();
  /** The most entries one page returns, whatever `limit` asks (PagerDuty caps it at 100; tests lower it). */
  maxPageSize = 100;

  private constructor(
    readonly http: HttpFake,
    readonly token: string,
  ) {}

  /** Starts the fake on a free local port. */
  static async start(options: PagerDutyFakeOptions = {}): Promise<PagerDutyFake> {
    const token = options.token ?? 'test-pd-token';
    let fake: PagerDutyFake | undefined;
    const http = await HttpFake.start(
      PagerDutyFake.routes(() => fake!),
      (request) => {
        if (request.path.startsWith('/v2/')) return null;
        if (request.headers.authorization !== `Token token=${token}`) {
          return { status: 401, body: { error: { message: 'Unauthorized', code: 2006 } } };
        }
        return null;
      },
    );
    fake = new PagerDutyFake(http, token);
    return fake;
  }

  /** Base URL of both APIs. */
  get url(): string {
    return this.http.url;
  }

  /** Environment variables that point the PagerDuty client here. */
  env(): NodeJS.ProcessEnv {
    return { PAGERDUTY_TOKEN: this.token, PAGERDUTY_API_URL: this.url, PAGERDUTY_EVENTS_URL: this.url };
  }

  /** Adds a service that `GET /services/:id` finds. */
  addService(service: FakeService): void {
    this.services.set(service.id, service);
  }

  /** Adds an escalation policy that `GET /escalation_policies/:id` finds. */
  addEscalationPolicy(policy: { id: string; name: string }): void {
    this.escalationPolicies.set(policy.id, policy);
  }

  /** Adds an on-call shift that `GET /oncalls` lists. */
  addOnCall(entry: FakeOnCall): void {
    this.oncalls.push(entry);
  }

  /** Creates a routing key the Events API accepts (32 characters, as PagerDuty's). */
  newRoutingKey(): string {
    const key = randomBytes(16).toString('hex');
    this.routingKeys.add(key);
    return key;
  }

  /** The Events API requests received. */
  events(): readonly RecordedRequest[] {
    return this.http.requests.filter((r) => r.path === '/v2/enqueue');
  }

  /** Stops the server. */
  close(): Promise<void> {
    return this.http.close();
  }

  private static routes(get: () => PagerDutyFake): readonly FakeRoute[] {
    return [
      {
        method: 'GET',
        pattern: '/services/:id',
        handle: (_r, p) => {
          const s = get().services.get(p.id!);
          if (!s) return notFound();
          return {
            status: 200,
            body: {
              service: {
                id: s.id,
                type: 'service',
                summary: s.name,
                name: s.name,
                status: 'active',
                html_url: `https://example.pagerduty.com/service-directory/${s.id}`,
                escalation_policy: {
                  id: s.escalationPolicyId,
                  type: 'escalation_policy_reference',
                  summary: '',
                },
              },
            },
          };
        },
      },
      {
        method: 'GET',
        pattern: '/escalation_policies/:id',
        handle: (_r, p) => {
          const e = get().escalationPolicies.get(p.id!);
          if (!e) return notFound();
          return {
            status: 200,
            body: {
              escalation_policy: {
                id: e.id,
                type: 'escalation_policy',
                summary: e.name,
                name: e.name,
                html_url: `https://example.pagerduty.com/escalation_policies/${e.id}`,
              },
            },
          };
        },
      },
      { method: 'GET', pattern: '/oncalls', handle: (r) => get().listOnCalls(r) },
      { method: 'POST', pattern: '/v2/enqueue', handle: (r) => get().enqueue(r) },
    ];
  }

  private listOnCalls(r: RecordedRequest): FakeResponse {
    const policies = r.query.getAll('escalation_policy_ids[]');
    const since = r.query.get('since');
    const until = r.query.get('until');
    const overlaps = (o: FakeOnCall) =>
      (!until || o.start === null || o.start < until) && (!since || o.end === null || o.end > since);
    const oncalls = this.oncalls
      .filter((o) => (policies.length === 0 || policies.includes(o.escalationPolicyId)) && overlaps(o))
      .map((o) => ({
        escalation_policy: {
          id: o.escalationPolicyId,
          type: 'escalation_policy_reference',
          summary: this.escalationPolicies.get(o.escalationPolicyId)?.name ?? '',
        },
        escalation_level: o.level,
        schedule: o.scheduleName
          ? { id: 'PSCHED1', type: 'schedule_reference', summary: o.scheduleName }
          : null,
        user: {
          id: o.userId,
          type: 'user_reference',
          summary: o.userName,
          html_url: `https://example.pagerduty.com/users/${o.userId}`,
        },
        start: o.start,
        end: o.end,
      }));
    // Classic pagination (PagerDuty REST API, "Pagination"): `limit` (at most 100), `offset`, `more`.
    const limit = Math.min(Number(r.query.get('limit') ?? 25), this.maxPageSize);
    const offset = Number(r.query.get('offset') ?? 0);
    const page = oncalls.slice(offset, offset + limit);
    return {
      status: 200,
      body: { oncalls: page, limit, offset, more: offset + limit < oncalls.length, total: null },
    };
  }

  private enqueue(r: RecordedRequest): FakeResponse {
    const event = r.body as {
      routing_key?: string;
      event_action?: string;
      dedup_key?: string;
      payload?: { summary?: string; source?: string; severity?: string };
    } | null;
    const invalid = (message: string): FakeResponse => ({
      status: 400,
      body: { status: 'invalid event', message: 'Event object is invalid', errors: [message] },
    });
    if (!event?.routing_key || !this.routingKeys.has(event.routing_key))
      return invalid('Invalid routing key');
    const action = event.event_action;
    if (action === 'trigger') {
      const p = event.payload;
      if (!p?.summary || !p.source || !p.severity)
        return invalid("'payload' is missing summary, source or severity");
      const dedupKey = event.dedup_key ?? randomBytes(16).toString('hex');
      const existing = this.incidents.get(dedupKey);
      if (!existing || existing.status === 'resolved') {
        this.incidents.set(dedupKey, {
          dedupKey,
          routingKey: event.routing_key,
          status: 'triggered',
          summary: p.summary,
          severity: p.severity,
          source: p.source,
        });
      }
      return accepted(dedupKey);
    }
    if (action === 'acknowledge' || action === 'resolve') {
      if (!event.dedup_key) return invalid("'dedup_key' is required to acknowledge or resolve");
      const incident = this.incidents.get(event.dedup_key);
      if (incident && incident.status !== 'resolved')
        incident.status = action === 'resolve' ? 'resolved' : 'acknowledged';
      return accepted(event.dedup_key);
    }
    return invalid("'event_action' must be trigger, acknowledge or resolve");
  }
}

function notFound(): FakeResponse {
  return { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
}

function accepted(dedupKey: string): FakeResponse {
  return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
}
