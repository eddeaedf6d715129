/**
 * The monitors command line against local Datadog and PagerDuty fakes that hold what the golden
 * configuration routes to (its PagerDuty service and escalation policy, its Slack channels).
 */
import { join } from 'node:path';
import { main } from '../../cli/main';
import { GOLDEN_CONFIG } from '../../monitors/golden';
import type { StackEndpointReader } from '../../monitors/synthetics/endpoints';
import { DatadogFake } from './datadog-fake';
import { PagerDutyFake } from './pagerduty-fake';

const CONFIG = join(__dirname, '../..', GOLDEN_CONFIG);

/** What one run printed and how it exited. */
export interface MonitorsRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs `wheelhouse monitors <argv>` (the one entry, in-process) on the golden configuration, as CI
 * would (plain output), with only `env` set, and captures its output.
 */
export async function runMonitorsCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { readonly stackEndpoints?: StackEndpointReader } = {},
): Promise<MonitorsRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['monitors', ...argv], {
    env: { WHEELHOUSE_CONFIG: CONFIG, CI: 'true', ...env },
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stackEndpoints: options.stackEndpoints,
  });
  return { code, out: out.join('').replace(/\n$/, ''), err: err.join('').replace(/\n$/, '') };
}

/** Both fakes, holding every destination the golden configuration routes to. */
export interface RoutedFakes {
  readonly dd: DatadogFake;
  readonly pd: PagerDutyFake;
  /** The variables that point the CLI at both fakes. */
  readonly env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** Starts both fakes with the golden configuration's routes in place. */
export async function startRoutedFakes(): Promise<RoutedFakes> {
  const dd = await DatadogFake.start();
  const pd = await PagerDutyFake.start();
  dd.pagerDutyServices.add('wheelhouse-prod');
  dd.slackChannels.set('wheelhouse', new Set(['#wheelhouse-prod-alerts', '#wheelhouse-stage-alerts']));
  pd.addService({ id: 'PWHPROD01', name: 'Wheelhouse prod', escalationPolicyId: 'PWHESC001' });
  pd.addEscalationPolicy({ id: 'PWHESC001', name: 'Wheelhouse on-call' });
  return {
    dd,
    pd,
    env: { ...dd.env(), ...pd.env() },
    async close() {
      await dd.close();
      await pd.close();
    },
  };
}
