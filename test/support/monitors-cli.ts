/**
 * The monitors command line against local Datadog and PagerDuty fakes that hold what the golden
 * configuration routes to (its PagerDuty service and escalation policy, its Slack channels).
 */
import { join } from 'node:path';
import { runCli } from '../../cli/monitors-command';
import { GOLDEN_CONFIG } from '../../monitors/golden';
import { DatadogFake } from './datadog-fake';
import { PagerDutyFake } from './pagerduty-fake';

const CONFIG = join(__dirname, '../..', GOLDEN_CONFIG);

/** Runs the CLI on the golden configuration and captures its output. */
export async function runMonitorsCli(argv: readonly string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env: { WHEELHOUSE_CONFIG: CONFIG, ...env },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
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
