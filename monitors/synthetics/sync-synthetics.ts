/**
 * The synthetic tests in the plan: read what Datadog has (by the managed tags), compare the owned
 * fields, and create, update or delete, with creates idempotent on the managed id.
 *
 * Datadog API reference, "Synthetics": create an API test `POST /api/v1/synthetics/tests/api`, get
 * and edit one `GET|PUT /api/v1/synthetics/tests/api/{public_id}`, list tests `GET
 * /api/v1/synthetics/tests` (`page_size`, `page_number`), delete `POST /api/v1/synthetics/tests/delete`
 * (https://docs.datadoghq.com/api/latest/synthetics/).
 */
import type { SyntheticsAPITest } from '@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/SyntheticsAPITest';
import type { DatadogClient } from '../../clients/datadog-client';
import { toMonitoringError } from '../../clients/monitoring-error';
import { createOnce } from '../sync/create-once';
import { diffFields, type FieldChange, dashboardFields as flatFields } from '../sync/owned-fields';
import { type ChangeAction, countActions, groupById } from '../sync/plan';
import { ACTION_SYMBOL } from '../sync/render-plan';
import { idFromTags, idTag, managedTags } from '../tags';
import type { Json } from '../wire';
import type { SyntheticDefinition } from './synthetic-tests';
import { syntheticToWire } from './wire';

/** A managed synthetic test as Datadog has it. */
export interface ManagedSynthetic {
  readonly publicId: string;
  readonly id: string | null;
  readonly name: string;
  readonly wire: Json;
}

/** One synthetic test in the plan. */
export interface SyntheticChange {
  readonly action: ChangeAction;
  readonly id: string;
  readonly name: string;
  readonly publicId: string | null;
  readonly fields: readonly FieldChange[];
  readonly body: SyntheticsAPITest | null;
}

/** The synthetics part of a plan. */
export interface SyntheticsPlan {
  readonly env: string;
  readonly changes: readonly SyntheticChange[];
  /** Why the synthetic tests are left alone this time (no endpoint yet), or null. */
  readonly skipped: string | null;
  readonly offline: boolean;
}

/** Lists the managed synthetic tests of `env`, each read in full. Throws a MonitoringError. */
export async function readManagedSynthetics(
  client: DatadogClient,
  project: string,
  env: string,
): Promise<readonly ManagedSynthetic[]> {
  const tags = managedTags(project, env);
  const found: ManagedSynthetic[] = [];
  try {
    for await (const summary of client.synthetics().listTestsWithPagination({ pageSize: 100 })) {
      // Only ours, in this environment: the list holds every test of the organisation.
      if (!summary.publicId || summary.type !== 'api' || !tags.every((t) => summary.tags?.includes(t)))
        continue;
      const test = await client.synthetics().getAPITest({ publicId: summary.publicId });
      found.push({
        publicId: summary.publicId,
        id: idFromTags(test.tags),
        name: test.name,
        wire: syntheticToWire(test),
      });
    }
  } catch (error) {
    throw toMonitoringError('datadog', 'list synthetic tests', error);
  }
  return found;
}

/** Compares the defined synthetic tests with Datadog's; `actual` null: Datadog was not read. */
export function planSynthetics(
  env: string,
  desired: readonly SyntheticDefinition[],
  actual: readonly ManagedSynthetic[] | null,
  options: { readonly prune?: boolean; readonly skipped?: string | null } = {},
): SyntheticsPlan {
  const skipped = options.skipped ?? null;
  if (skipped !== null) return { env, changes: [], skipped, offline: actual === null };
  const byId = groupById(actual ?? []);
  const changes: SyntheticChange[] = [];
  for (const def of desired) {
    const existing = byId.get(def.id)?.shift();
    if (!existing) {
      changes.push({
        action: 'create',
        id: def.id,
        name: def.test.name,
        publicId: null,
        fields: [],
        body: def.test,
      });
      continue;
    }
    const fields = diffFields(flatFields(syntheticToWire(def.test)), flatFields(existing.wire));
    changes.push({
      action: fields.length > 0 ? 'update' : 'unchanged',
      id: def.id,
      name: def.test.name,
      publicId: existing.publicId,
      fields,
      body: fields.length > 0 ? def.test : null,
    });
  }
  for (const leftover of [...byId.values()].flat()) {
    changes.push({
      action: options.prune ? 'delete' : 'orphan',
      id: leftover.id ?? '(no id tag)',
      name: leftover.name,
      publicId: leftover.publicId,
      fields: [],
      body: null,
    });
  }
  return { env, changes, skipped: null, offline: actual === null };
}

/** Applies the synthetics plan, one write at a time; `onApplied` hears of each. Throws a MonitoringError. */
export async function applySynthetics(
  client: DatadogClient,
  plan: SyntheticsPlan,
  onApplied: (change: SyntheticChange, publicId: string) => void = () => {},
): Promise<void> {
  for (const change of plan.changes) {
    let publicId: string;
    try {
      if (change.action === 'create') {
        const body = change.body!;
        const created = await createOnce({
          operation: `create synthetic test ${change.id}`,
          create: () => client.withoutRetries.synthetics().createSyntheticsAPITest({ body }),
          findExisting: () => findByIdTag(client, body.tags ?? [], change.id),
        });
        publicId = created.publicId ?? '';
      } else if (change.action === 'update') {
        await client.synthetics().updateAPITest({ publicId: change.publicId!, body: change.body! });
        publicId = change.publicId!;
      } else if (change.action === 'delete') {
        await client.synthetics().deleteTests({ body: { publicIds: [change.publicId!] } });
        publicId = change.publicId!;
      } else {
        continue;
      }
    } catch (error) {
      throw toMonitoringError('datadog', `${change.action} synthetic test ${change.id}`, error);
    }
    onApplied(change, publicId);
  }
}

async function findByIdTag(
  client: DatadogClient,
  tags: readonly string[],
  id: string,
): Promise<SyntheticsAPITest | null> {
  const wanted = [...tags.filter((t) => t.startsWith('managed-by:') || t.startsWith('env:')), idTag(id)];
  for await (const summary of client.synthetics().listTestsWithPagination({ pageSize: 100 })) {
    if (summary.publicId && wanted.every((t) => summary.tags?.includes(t))) {
      return client.synthetics().getAPITest({ publicId: summary.publicId });
    }
  }
  return null;
}

/** The synthetics plan as lines for the terminal, in the style of the monitors plan. */
export function renderSyntheticsPlan(plan: SyntheticsPlan): string {
  if (plan.skipped !== null) return `Synthetic tests for ${plan.env}: skipped, ${plan.skipped}.`;
  const lines: string[] = [];
  for (const c of plan.changes) {
    if (c.action === 'unchanged') continue;
    lines.push(`${ACTION_SYMBOL[c.action]} ${c.action}  synthetic  ${c.id}  ${c.name}`);
    for (const f of c.fields)
      lines.push(`    ${f.path}: ${JSON.stringify(f.actual)} → ${JSON.stringify(f.desired)}`);
    if (c.action === 'orphan')
      lines.push(`    no longer defined (public id ${c.publicId}); --prune deletes it`);
  }
  const n = countActions(plan);
  lines.push(
    `Synthetic tests for ${plan.env}: ${n.create} to create, ${n.update} to update, ${n.delete} to delete, ${n.unchanged} unchanged` +
      (n.orphan > 0 ? `, ${n.orphan} no longer defined (kept without --prune)` : '') +
      '.',
  );
  return lines.join('\n');
}
