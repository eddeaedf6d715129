/** Renders a plan and route checks as plain-text tables for a terminal or a CI log. */
import type { FieldChange } from './owned-fields';
import { type ChangeAction, countActions, type Plan } from './plan';
import type { RouteCheck } from './verify-routes';

/** The mark of each action at the start of a plan's line. */
export const ACTION_SYMBOL: Readonly<Record<ChangeAction, string>> = {
  create: '+',
  update: '~',
  delete: '-',
  unchanged: '=',
  orphan: '!',
};

/** The plan as a table, changed fields under each update, and a summary line. Unchanged objects are counted, not listed. */
export function renderPlan(plan: Plan): string {
  const rows = plan.changes
    .filter((c) => c.action !== 'unchanged')
    .map((c) => ({
      cells: [`${ACTION_SYMBOL[c.action]} ${c.action}`, c.kind, c.id, c.name],
      details: [
        ...c.fields.map(renderField),
        ...(c.action === 'orphan'
          ? [`no longer defined (Datadog id ${c.datadogId}); --prune deletes it`]
          : []),
      ],
    }));
  const lines: string[] = [];
  if (plan.offline) {
    lines.push(
      'Datadog was not read (DD_API_KEY/DD_APP_KEY not set): everything defined is shown as to be created.',
      '',
    );
  }
  if (rows.length > 0) {
    const header = ['ACTION', 'KIND', 'ID', 'NAME'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
    const line = (cells: readonly string[]) =>
      cells
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    lines.push(line(header));
    for (const row of rows) {
      lines.push(line(row.cells));
      for (const detail of row.details) lines.push(`    ${detail}`);
    }
    lines.push('');
  }
  const n = countActions(plan);
  lines.push(
    `Plan for ${plan.env}: ${n.create} to create, ${n.update} to update, ${n.delete} to delete, ${n.unchanged} unchanged` +
      (n.orphan > 0 ? `, ${n.orphan} no longer defined (kept without --prune)` : '') +
      '.',
  );
  return lines.join('\n');
}

/** The route checks as a list, one line each. */
export function renderRouteChecks(checks: readonly RouteCheck[]): string {
  if (checks.length === 0) return 'Routes: nothing to check.';
  const mark: Readonly<Record<RouteCheck['status'], string>> = {
    ok: 'ok     ',
    missing: 'MISSING',
    skipped: 'skipped',
    error: 'ERROR  ',
  };
  return ['Routes:', ...checks.map((c) => `  ${mark[c.status]}  ${c.what}: ${c.detail}`)].join('\n');
}

function renderField(field: FieldChange): string {
  const { actual, desired } = field;
  if (Array.isArray(actual) && Array.isArray(desired)) {
    // A set: say which members go and come.
    const removed = actual.filter((v) => !desired.includes(v)).map((v) => `-${String(v)}`);
    const added = desired.filter((v) => !actual.includes(v)).map((v) => `+${String(v)}`);
    return `${field.path}: ${[...removed, ...added].join(' ')}`;
  }
  return `${field.path}: ${show(actual)} → ${show(desired)}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 70 ? `${text.slice(0, 67)}...` : text;
}
