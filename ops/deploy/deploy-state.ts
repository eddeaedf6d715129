/**
 * The environment's deploy state in its DynamoDB table (`deployStateTableName(env)`): the lock, the
 * approval requests, the deploy history and release sign-offs. Everything that must happen once is a conditional write,
 * so that two bot replicas, CI and a person at a terminal agree without talking to each other.
 *
 * Items (keys `pk`/`sk`, TTL attribute `ttl` in epoch seconds):
 * - lock:     pk `lock`, sk `lock`; holder, reason, since, expiresAt (epoch ms), token (the fencing
 *   token: only the acquirer knows it), rvn (the record version number: new on every acquire and renewal).
 * - release:  pk `lock`, sk `released#<token>`; who released a deploy's lock that was not theirs (so
 *   that the deploy can say who), kept a day.
 * - approval: pk `approval`, sk `<id>`; kind, args, requester, status, expiresAt, decidedBy.
 *
 * When a lock may be taken over. A held lock's `expiresAt` is written with its holder's wall clock
 * and read with the contender's, so it decides nothing: it is shown to people and drives the TTL.
 * As the AWS DynamoDB Lock Client does
 * (https://aws.amazon.com/blogs/database/building-distributed-locks-with-the-dynamodb-lock-client/),
 * a contender takes over only a lock whose `rvn` it has itself seen unchanged for a whole lease
 * (`deploy.lockTtlMinutes`) on its own monotonic clock, by a put conditional on that `rvn`; a live
 * holder renews every third of a lease, so it always wins. The one-shot callers (a Slack command, the
 * command line) do not wait for a lease (an hour by default, far too long to keep a person or a CI job
 * waiting): {@link DeployStateStore.acquireLock} never waits, it refuses with the holder, whether its
 * `expiresAt` is past (`stale`) and how long this process has seen it unchanged. The bot, a long-lived
 * process, remembers its sightings ({@link processLockSightings}), so a later attempt after a lease
 * takes a crashed deploy's lock over; otherwise an admin releases it (`/unlock <env> --force`).
 * - history:  pk `history`, sk `<startedAt ISO>#<id>`; version, previousVersion, by, outcome, reason.
 * - sign-off: pk `signoff#<version>`, sk `signoff`; version, by, byName, signedAt, expiresAt (epoch ms).
 *   One per version: signing it off again replaces it (a later expiry).
 */
import { randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { deployStateTableName, type EnvironmentConfig } from '../../config';
import type { AwsClients } from '../aws-clients';
import { withAwsErrors } from '../aws-errors';
import { type LockSightings, processLockSightings } from './lock-sightings';

/** Who holds an environment's deploy lock, and why. */
export interface DeployLock {
  /** A Slack user id, or the command line's `ci:…`/`cli:…` identity. */
  readonly owner: string;
  readonly ownerName: string;
  readonly reason: string;
  /** `deploy` (held by a running deploy) or `manual` (`/lock`). */
  readonly kind: 'deploy' | 'manual';
  readonly since: Date;
  /** Written with the holder's clock: for display and the TTL, never the reason for a takeover. */
  readonly expiresAt: Date;
  /** Proves holding (the fencing token): only the acquirer knows it. */
  readonly token: string;
  /** The record version number: a new random id on every acquire and renewal ('' for an item from before rvns). */
  readonly rvn: string;
  /**
   * `expiresAt` had passed by the reader's clock when it was read: its holder may be gone. A hint
   * for people; a takeover needs the rvn unchanged for a lease (see the top of this file).
   */
  readonly stale: boolean;
}

/** Why a holder no longer holds its lock. */
export interface LockLoss {
  /** `released`: deleted (an admin's `/unlock --force`); `taken-over`: someone else's lock now; `lease-passed`: no renewal got through for a whole lease. */
  readonly why: 'released' | 'taken-over' | 'lease-passed';
  /** Who released it or holds it now (a display name), when known. */
  readonly by: string | null;
  /** In a sentence, e.g. `the lock on prod was released by pat`. */
  readonly message: string;
}

/** The result of {@link DeployStateStore.renewLock}. */
export type RenewResult =
  | { readonly renewed: true; readonly lock: DeployLock }
  | { readonly renewed: false; readonly loss: LockLoss };

/** The result of {@link acquireLock}. */
export type AcquireResult =
  | { readonly acquired: true; readonly lock: DeployLock; readonly tookOverFrom: DeployLock | null }
  | {
      readonly acquired: false;
      readonly holder: DeployLock;
      /** How long this process has seen the holder's rvn unchanged (a takeover needs a whole lease). */
      readonly unchangedForMs: number;
    };

/** Options of a {@link DeployStateStore}. */
export interface DeployStateOptions {
  /**
   * This process's monotonic clock in ms, to time how long a lock's rvn stays unchanged.
   * @default performance.now
   */
  readonly monotonicNow?: () => number;
  /** Where the sightings of locks are kept. @default {@link processLockSightings} */
  readonly sightings?: LockSightings;
}

/** What an approval request asks for. */
export type ApprovalKind = 'deploy' | 'rollback' | 'scale';

/** A request for approval, as stored. */
export interface ApprovalRequest {
  readonly id: string;
  readonly kind: ApprovalKind;
  /** The command text to run once approved (e.g. `prod v1.2.3`). */
  readonly args: string;
  readonly requester: string;
  readonly requestedAt: Date;
  readonly expiresAt: Date;
  readonly status: 'pending' | 'approved' | 'rejected';
  readonly decidedBy: string | null;
}

/** The result of {@link decideApproval}. */
export type DecisionResult =
  | { readonly decided: true; readonly request: ApprovalRequest }
  | {
      readonly decided: false;
      readonly request: ApprovalRequest | null;
      /** `wrong-kind`: the request is for another command (`/scale … approve <a deploy's id>`); it stays pending. */
      readonly why: 'missing' | 'expired' | 'already-decided' | 'own-request' | 'wrong-kind';
    };

/**
 * How a deploy ended, as history keeps it. `interrupted`: the bot instance running it stopped before
 * it ended (CloudFormation finished the stack update by itself; `/status` shows what runs).
 * `failed-before-change`: it failed before CloudFormation changed the stack (nothing was deployed).
 * `lock-lost`: its lock was released or taken over, so it stopped before its next step without rolling back.
 */
export type HistoryOutcome =
  | 'succeeded'
  | 'failed'
  | 'failed-before-change'
  | 'rolled-back'
  | 'interrupted'
  | 'lock-lost';

const HISTORY_OUTCOMES = [
  'succeeded',
  'failed',
  'failed-before-change',
  'rolled-back',
  'interrupted',
  'lock-lost',
] as const satisfies readonly HistoryOutcome[];

/** One finished deploy. */
export interface HistoryEntry {
  readonly id: string;
  readonly kind: 'deploy' | 'rollback' | 'auto-rollback';
  /** The image tag deployed, or null for an infrastructure-only deploy. */
  readonly version: string | null;
  readonly previousVersion: string | null;
  readonly by: string;
  readonly outcome: HistoryOutcome;
  readonly reason: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** The reason given to override a freeze window (audited), or null. */
  readonly freezeOverride: string | null;
}

/**
 * An approver's sign-off of a release tag (`/signoff`): until it expires, the command line (CI) may
 * deploy that version to the protected environment without an approval in Slack.
 */
export interface SignOff {
  readonly version: string;
  /** The approver's Slack user id. */
  readonly by: string;
  readonly byName: string;
  readonly signedAt: Date;
  readonly expiresAt: Date;
}

/** The result of {@link DeployStateStore.findSignOff}. */
export type SignOffLookup =
  | { readonly status: 'valid'; readonly signOff: SignOff }
  | { readonly status: 'expired'; readonly signOff: SignOff }
  | { readonly status: 'missing' };

const LOCK_KEY = { pk: { S: 'lock' }, sk: { S: 'lock' } };
/** Expired items linger this long before DynamoDB's TTL removes them (for "expired" answers). */
const LINGER_SECONDS = 7 * 24 * 3600;

/** A random id for approvals, history entries and lock tokens. */
export function newId(): string {
  return randomBytes(9).toString('base64url');
}

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });

const lockItem = z.object({
  owner: z.object({ S: z.string() }),
  ownerName: z.object({ S: z.string() }),
  reason: z.object({ S: z.string() }),
  kind: z.object({ S: z.enum(['deploy', 'manual']) }),
  since: z.object({ N: z.string() }),
  expiresAt: z.object({ N: z.string() }),
  token: z.object({ S: z.string() }),
  rvn: z.object({ S: z.string() }).optional(),
});

function toLock(item: unknown, now: Date | null): DeployLock {
  const i = lockItem.parse(item);
  const expiresAt = Number(i.expiresAt.N);
  return {
    owner: i.owner.S,
    ownerName: i.ownerName.S,
    reason: i.reason.S,
    kind: i.kind.S,
    since: new Date(Number(i.since.N)),
    expiresAt: new Date(expiresAt),
    token: i.token.S,
    rvn: i.rvn?.S ?? '',
    stale: now !== null && expiresAt <= now.getTime(),
  };
}

/** The condition that the lock item is still the version `seen` (an item from before rvns: same token and expiry). */
function sameVersion(seen: DeployLock): {
  readonly condition: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
} {
  if (seen.rvn !== '') {
    return { condition: '#rvn = :seen', names: { '#rvn': 'rvn' }, values: { ':seen': s(seen.rvn) } };
  }
  return {
    condition: 'attribute_not_exists(#rvn) AND #token = :seenToken AND expiresAt = :seenExpiry',
    names: { '#rvn': 'rvn', '#token': 'token' },
    values: { ':seenToken': s(seen.token), ':seenExpiry': n(seen.expiresAt.getTime()) },
  };
}

const releaseKey = (token: string) => ({ pk: s('lock'), sk: s(`released#${token}`) });

const approvalItem = z.object({
  sk: z.object({ S: z.string() }),
  kind: z.object({ S: z.enum(['deploy', 'rollback', 'scale']) }),
  args: z.object({ S: z.string() }),
  requester: z.object({ S: z.string() }),
  requestedAt: z.object({ N: z.string() }),
  expiresAt: z.object({ N: z.string() }),
  status: z.object({ S: z.enum(['pending', 'approved', 'rejected']) }),
  decidedBy: z.object({ S: z.string() }).optional(),
});

function toApproval(item: unknown): ApprovalRequest {
  const i = approvalItem.parse(item);
  return {
    id: i.sk.S,
    kind: i.kind.S,
    args: i.args.S,
    requester: i.requester.S,
    requestedAt: new Date(Number(i.requestedAt.N)),
    expiresAt: new Date(Number(i.expiresAt.N)),
    status: i.status.S,
    decidedBy: i.decidedBy?.S ?? null,
  };
}

const optionalS = z.object({ S: z.string() }).optional();
const historyItem = z.object({
  id: z.object({ S: z.string() }),
  kind: z.object({ S: z.enum(['deploy', 'rollback', 'auto-rollback']) }),
  version: optionalS,
  previousVersion: optionalS,
  by: z.object({ S: z.string() }),
  outcome: z.object({ S: z.enum(HISTORY_OUTCOMES) }),
  reason: optionalS,
  startedAt: z.object({ N: z.string() }),
  finishedAt: z.object({ N: z.string() }),
  freezeOverride: optionalS,
});

function toHistory(item: unknown): HistoryEntry {
  const i = historyItem.parse(item);
  return {
    id: i.id.S,
    kind: i.kind.S,
    version: i.version?.S ?? null,
    previousVersion: i.previousVersion?.S ?? null,
    by: i.by.S,
    outcome: i.outcome.S,
    reason: i.reason?.S ?? null,
    startedAt: new Date(Number(i.startedAt.N)),
    finishedAt: new Date(Number(i.finishedAt.N)),
    freezeOverride: i.freezeOverride?.S ?? null,
  };
}

const signOffItem = z.object({
  version: z.object({ S: z.string() }),
  by: z.object({ S: z.string() }),
  byName: z.object({ S: z.string() }),
  signedAt: z.object({ N: z.string() }),
  expiresAt: z.object({ N: z.string() }),
});

function toSignOff(item: unknown): SignOff {
  const i = signOffItem.parse(item);
  return {
    version: i.version.S,
    by: i.by.S,
    byName: i.byName.S,
    signedAt: new Date(Number(i.signedAt.N)),
    expiresAt: new Date(Number(i.expiresAt.N)),
  };
}

const signOffKey = (version: string) => ({ pk: s(`signoff#${version}`), sk: s('signoff') });

function isConditionFailed(error: unknown): error is Error & { Item?: Record<string, AttributeValue> } {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The deploy state of one environment. */
export class DeployStateStore {
  private readonly table: string;
  private readonly monotonicNow: () => number;
  private readonly sightings: LockSightings;

  constructor(
    private readonly aws: AwsClients,
    private readonly environment: EnvironmentConfig,
    options: DeployStateOptions = {},
  ) {
    this.table = deployStateTableName(environment);
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
    this.sightings = options.sightings ?? processLockSightings;
  }

  /** How long a lock lasts without a renewal: the environment's `deploy.lockTtlMinutes`. */
  get leaseMs(): number {
    return this.environment.deploy.lockTtlMinutes * 60_000;
  }

  private async client() {
    const [sdk, client] = await Promise.all([
      import('@aws-sdk/client-dynamodb'),
      this.aws.dynamoDb(this.environment),
    ]);
    return { sdk, client };
  }

  private call<T>(what: string, run: () => Promise<T>): Promise<T> {
    return withAwsErrors(`${what} (table ${this.table})`, run);
  }

  /**
   * The current lock, or null when none is held. A lock past its `expiresAt` is returned too, flagged
   * `stale`: it is held until released or taken over (see the top of this file).
   */
  readLock(now: Date): Promise<DeployLock | null> {
    return this.call('read the deploy lock', async () => {
      const Item = await this.rawItem(LOCK_KEY);
      if (!Item) return null;
      const lock = toLock(Item, now);
      this.sightings.observe(this.table, lock.rvn, this.monotonicNow());
      return lock;
    });
  }

  /**
   * Takes the lock if it is free, or takes over one whose rvn this process has seen unchanged for a
   * whole lease (returned in `tookOverFrom`, so that the caller can say whose crashed deploy it was).
   * Never waits: a held lock is refused at once, with how long its rvn has been seen unchanged.
   */
  acquireLock(
    holder: { readonly owner: string; readonly ownerName: string; readonly reason: string },
    kind: DeployLock['kind'],
    now: Date,
  ): Promise<AcquireResult> {
    return this.call('take the deploy lock', async () => {
      const result = await this.putLock(holder, kind, now, {
        condition: 'attribute_not_exists(pk)',
        names: {},
        values: {},
      });
      if (result.acquired || !result.holder) {
        // Released between our put and our read: try again (a free lock is taken at once).
        return result.acquired ? result : this.acquireLock(holder, kind, now);
      }
      const unchangedForMs = this.sightings.observe(this.table, result.holder.rvn, this.monotonicNow());
      if (unchangedForMs >= this.leaseMs) return this.takeOverLock(holder, kind, now, result.holder);
      return { acquired: false, holder: result.holder, unchangedForMs };
    });
  }

  /**
   * Takes over `seen`, the lock as this process read it: a put conditional on its rvn, so that a
   * holder that renewed in between (a new rvn) keeps its lock. Callers decide first that `seen` is
   * abandoned ({@link acquireLock} does, after a lease of the same rvn).
   */
  takeOverLock(
    holder: { readonly owner: string; readonly ownerName: string; readonly reason: string },
    kind: DeployLock['kind'],
    now: Date,
    seen: DeployLock,
  ): Promise<AcquireResult> {
    return this.call('take over the deploy lock', async () => {
      const result = await this.putLock(holder, kind, now, sameVersion(seen));
      if (result.acquired) return result;
      if (!result.holder) return this.acquireLock(holder, kind, now);
      const unchangedForMs = this.sightings.observe(this.table, result.holder.rvn, this.monotonicNow());
      return { acquired: false, holder: result.holder, unchangedForMs };
    });
  }

  /** Puts a new lock on `condition`; when refused, returns the item that refused it (null: none). */
  private async putLock(
    holder: { readonly owner: string; readonly ownerName: string; readonly reason: string },
    kind: DeployLock['kind'],
    now: Date,
    condition: ReturnType<typeof sameVersion>,
  ): Promise<
    | { readonly acquired: true; readonly lock: DeployLock; readonly tookOverFrom: DeployLock | null }
    | { readonly acquired: false; readonly holder: DeployLock | null }
  > {
    const { sdk, client } = await this.client();
    const expiresAt = now.getTime() + this.leaseMs;
    const lock: DeployLock = {
      ...holder,
      kind,
      since: now,
      expiresAt: new Date(expiresAt),
      token: newId(),
      rvn: newId(),
      stale: false,
    };
    try {
      const { Attributes } = await client.send(
        new sdk.PutItemCommand({
          TableName: this.table,
          Item: {
            ...LOCK_KEY,
            owner: s(lock.owner),
            ownerName: s(lock.ownerName),
            reason: s(lock.reason),
            kind: s(kind),
            since: n(now.getTime()),
            expiresAt: n(expiresAt),
            token: s(lock.token),
            rvn: s(lock.rvn),
            ttl: n(Math.ceil(expiresAt / 1000) + LINGER_SECONDS),
          },
          ConditionExpression: condition.condition,
          ...(Object.keys(condition.names).length > 0 ? { ExpressionAttributeNames: condition.names } : {}),
          ...(Object.keys(condition.values).length > 0
            ? { ExpressionAttributeValues: condition.values }
            : {}),
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      this.sightings.forget(this.table);
      return { acquired: true, lock, tookOverFrom: Attributes ? toLock(Attributes, now) : null };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      // Older DynamoDB implementations do not return the item with the failure: read it.
      const current = error.Item ?? (await this.rawItem(LOCK_KEY));
      return { acquired: false, holder: current ? toLock(current, now) : null };
    }
  }

  private async rawItem(
    key: Record<string, AttributeValue>,
  ): Promise<Record<string, AttributeValue> | undefined> {
    const { sdk, client } = await this.client();
    const { Item } = await client.send(
      new sdk.GetItemCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  /**
   * Renews a held lock: a new expiry and a new rvn, conditional on its token. Refused (the item gone,
   * or another holder's): the lock is lost, and the result says who released it or holds it now.
   */
  renewLock(lock: DeployLock, now: Date): Promise<RenewResult> {
    return this.call('renew the deploy lock', async () => {
      const { sdk, client } = await this.client();
      const expiresAt = now.getTime() + this.leaseMs;
      const rvn = newId();
      try {
        await client.send(
          new sdk.UpdateItemCommand({
            TableName: this.table,
            Key: LOCK_KEY,
            UpdateExpression: 'SET expiresAt = :e, #ttl = :ttl, #rvn = :rvn',
            ConditionExpression: '#token = :token',
            ExpressionAttributeNames: { '#token': 'token', '#ttl': 'ttl', '#rvn': 'rvn' },
            ExpressionAttributeValues: {
              ':e': n(expiresAt),
              ':ttl': n(Math.ceil(expiresAt / 1000) + LINGER_SECONDS),
              ':token': s(lock.token),
              ':rvn': s(rvn),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { renewed: true, lock: { ...lock, expiresAt: new Date(expiresAt), rvn, stale: false } };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        const env = this.environment.name;
        const current = error.Item ?? (await this.rawItem(LOCK_KEY));
        if (current) {
          const other = toLock(current, now);
          return {
            renewed: false,
            loss: {
              why: 'taken-over',
              by: other.ownerName,
              message: `the lock on ${env} was taken over by ${other.ownerName} (${other.reason})`,
            },
          };
        }
        const release = await this.rawItem(releaseKey(lock.token));
        const by = release?.byName?.S ?? null;
        return {
          renewed: false,
          loss: {
            why: 'released',
            by,
            message: `the lock on ${env} was released${by ? ` by ${by}` : ''}`,
          },
        };
      }
    });
  }

  /**
   * Releases the lock: with `token`, only the holder's own lock; with `owner`, only a lock of that
   * person; with neither (an admin), whatever lock there is. Returns the lock released, or null.
   * `releasedBy` (someone releasing another's deploy lock) is noted, so that the deploy can say who.
   */
  releaseLock(
    match: { readonly token?: string; readonly owner?: string },
    releasedBy?: { readonly id: string; readonly name: string },
  ): Promise<DeployLock | null> {
    return this.call('release the deploy lock', async () => {
      const { sdk, client } = await this.client();
      const names: Record<string, string> = {};
      const values: Record<string, AttributeValue> = {};
      const conditions = ['attribute_exists(pk)'];
      if (match.token !== undefined) {
        conditions.push('#token = :token');
        names['#token'] = 'token';
        values[':token'] = s(match.token);
      }
      if (match.owner !== undefined) {
        conditions.push('#owner = :owner');
        names['#owner'] = 'owner';
        values[':owner'] = s(match.owner);
      }
      try {
        const { Attributes } = await client.send(
          new sdk.DeleteItemCommand({
            TableName: this.table,
            Key: LOCK_KEY,
            ConditionExpression: conditions.join(' AND '),
            ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
            ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
            ReturnValues: 'ALL_OLD',
          }),
        );
        const released = Attributes ? toLock(Attributes, null) : null;
        this.sightings.forget(this.table);
        if (released && releasedBy && released.kind === 'deploy') {
          // After the delete, not with it: the lock is free either way, and a note that failed to be
          // written only means the deploy says "released" without a name.
          await client
            .send(
              new sdk.PutItemCommand({
                TableName: this.table,
                Item: {
                  ...releaseKey(released.token),
                  by: s(releasedBy.id),
                  byName: s(releasedBy.name),
                  ttl: n(Math.ceil(Date.now() / 1000) + 24 * 3600),
                },
              }),
            )
            .catch(() => undefined);
        }
        return released;
      } catch (error) {
        if (isConditionFailed(error)) return null;
        throw error;
      }
    });
  }

  /** Stores a pending approval request that expires after the environment's `approvalExpiryMinutes`. */
  requestApproval(kind: ApprovalKind, args: string, requester: string, now: Date): Promise<ApprovalRequest> {
    return this.call('store the approval request', async () => {
      const { sdk, client } = await this.client();
      const request: ApprovalRequest = {
        id: newId(),
        kind,
        args,
        requester,
        requestedAt: now,
        expiresAt: new Date(now.getTime() + this.environment.deploy.approvalExpiryMinutes * 60_000),
        status: 'pending',
        decidedBy: null,
      };
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.table,
          Item: {
            pk: s('approval'),
            sk: s(request.id),
            kind: s(kind),
            args: s(args),
            requester: s(requester),
            requestedAt: n(now.getTime()),
            expiresAt: n(request.expiresAt.getTime()),
            status: s('pending'),
            ttl: n(Math.ceil(request.expiresAt.getTime() / 1000) + LINGER_SECONDS),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return request;
    });
  }

  /** The approval request `id` as stored, or null when there is none (never written, or gone with its TTL). */
  readApproval(id: string): Promise<ApprovalRequest | null> {
    return this.call('read the approval request', async () => {
      const item = await this.rawItem({ pk: s('approval'), sk: s(id) });
      return item ? toApproval(item) : null;
    });
  }

  /**
   * Approves or rejects a pending, unexpired request of `kind`, exactly once: of two approvers
   * clicking at once, or one clicking twice, one write wins and the other learns who decided. The
   * kind is part of the condition, so that `/scale … approve <a deploy's id>` leaves it pending.
   */
  decideApproval(
    id: string,
    decision: 'approved' | 'rejected',
    by: string,
    now: Date,
    kind: ApprovalKind,
  ): Promise<DecisionResult> {
    return this.call('record the approval decision', async () => {
      const { sdk, client } = await this.client();
      try {
        const { Attributes } = await client.send(
          new sdk.UpdateItemCommand({
            TableName: this.table,
            Key: { pk: s('approval'), sk: s(id) },
            UpdateExpression: 'SET #status = :decision, decidedBy = :by, decidedAt = :now',
            ConditionExpression:
              'attribute_exists(pk) AND #kind = :kind AND #status = :pending AND expiresAt > :now AND requester <> :by',
            ExpressionAttributeNames: { '#status': 'status', '#kind': 'kind' },
            ExpressionAttributeValues: {
              ':kind': s(kind),
              ':decision': s(decision),
              ':by': s(by),
              ':now': n(now.getTime()),
              ':pending': s('pending'),
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { decided: true, request: toApproval(Attributes) };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        // Older DynamoDB implementations do not return the item with the failure: read it.
        const item = error.Item ?? (await this.rawItem({ pk: s('approval'), sk: s(id) }));
        if (!item) return { decided: false, request: null, why: 'missing' };
        const request = toApproval(item);
        const why =
          request.kind !== kind
            ? 'wrong-kind'
            : request.status !== 'pending'
              ? 'already-decided'
              : request.requester === by
                ? 'own-request'
                : 'expired';
        return { decided: false, request, why };
      }
    });
  }

  /** Appends a finished deploy to the history. */
  recordHistory(entry: HistoryEntry): Promise<void> {
    return this.call('record the deploy history', async () => {
      const { sdk, client } = await this.client();
      const optional = (name: string, value: string | null) => (value === null ? {} : { [name]: s(value) });
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.table,
          Item: {
            pk: s('history'),
            sk: s(`${entry.startedAt.toISOString()}#${entry.id}`),
            id: s(entry.id),
            kind: s(entry.kind),
            ...optional('version', entry.version),
            ...optional('previousVersion', entry.previousVersion),
            by: s(entry.by),
            outcome: s(entry.outcome),
            ...optional('reason', entry.reason),
            startedAt: n(entry.startedAt.getTime()),
            finishedAt: n(entry.finishedAt.getTime()),
            ...optional('freezeOverride', entry.freezeOverride),
          },
        }),
      );
    });
  }

  /** Records `version` as signed off by an approver, valid for the environment's `deploy.signOffExpiryDays`. */
  recordSignOff(
    version: string,
    by: { readonly id: string; readonly name: string },
    now: Date,
  ): Promise<SignOff> {
    return this.call('record the sign-off', async () => {
      const { sdk, client } = await this.client();
      const signOff: SignOff = {
        version,
        by: by.id,
        byName: by.name,
        signedAt: now,
        expiresAt: new Date(now.getTime() + this.environment.deploy.signOffExpiryDays * 24 * 3600_000),
      };
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.table,
          Item: {
            ...signOffKey(version),
            version: s(version),
            by: s(signOff.by),
            byName: s(signOff.byName),
            signedAt: n(now.getTime()),
            expiresAt: n(signOff.expiresAt.getTime()),
            ttl: n(Math.ceil(signOff.expiresAt.getTime() / 1000) + LINGER_SECONDS),
          },
        }),
      );
      return signOff;
    });
  }

  /** The sign-off of `version`: valid, expired (kept a while after, to say so) or missing. */
  findSignOff(version: string, now: Date): Promise<SignOffLookup> {
    return this.call('read the sign-off', async () => {
      const item = await this.rawItem(signOffKey(version));
      if (!item) return { status: 'missing' };
      const signOff = toSignOff(item);
      return signOff.expiresAt > now ? { status: 'valid', signOff } : { status: 'expired', signOff };
    });
  }

  /** The latest `limit` history entries, newest first. */
  listHistory(limit: number): Promise<HistoryEntry[]> {
    return this.call('read the deploy history', async () => {
      const { sdk, client } = await this.client();
      const { Items } = await client.send(
        new sdk.QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': s('history') },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      return (Items ?? []).map(toHistory);
    });
  }
}
