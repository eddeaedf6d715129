/**
 * The bake's verdict on one look at the deploy-gate monitors, as a table.
 *
 * Datadog, "Configure Monitors", "Set alert conditions" / "No data"
 * (https://docs.datadoghq.com/monitors/configuration/): a monitor whose query returns nothing is in
 * `No Data`, which is neither OK nor Alert; a gate in that state has not judged the deploy.
 */

import type { GateAlert } from '../../ops/deploy/deploy-mute';
import { gateVerdict, silentGateNote } from '../../ops/deploy/gate-verdict';

const gate = (name: string, state: GateAlert['state']): GateAlert => ({
  monitorId: name.length,
  id: name,
  name,
  state,
  url: `https://app.datadoghq.com/monitors/${name}`,
});

describe('gateVerdict', () => {
  it.each([
    // gates, protected, final, failed names, newly silent names
    ['all quiet', [], true, true, [], []],
    ['a gate alerts', [gate('error-rate', 'Alert')], false, false, ['error-rate'], []],
    [
      'a gate alerts while another has no data',
      [gate('error-rate', 'Alert'), gate('latency', 'No Data')],
      true,
      false,
      ['error-rate'],
      ['latency'],
    ],
    ['no data during the bake, protected', [gate('latency', 'No Data')], true, false, [], ['latency']],
    [
      'no data when the bake ends, protected',
      [gate('latency', 'No Data')],
      true,
      true,
      ['latency (no data: it cannot judge the deploy)'],
      ['latency'],
    ],
    ['no data when the bake ends, not protected', [gate('latency', 'No Data')], false, true, [], ['latency']],
  ] as const)('%s', (_name, gates, protectedEnvironment, final, failed, silent) => {
    const verdict = gateVerdict(gates, { protectedEnvironment, final, alreadySaid: new Set() });
    expect(verdict.failed.map((f) => f.name)).toEqual(failed);
    expect(verdict.newlySilent.map((g) => g.name)).toEqual(silent);
  });

  it('says a silent gate once per bake', () => {
    const gates = [gate('latency', 'No Data')];
    const verdict = gateVerdict(gates, {
      protectedEnvironment: true,
      final: false,
      alreadySaid: new Set(['latency']),
    });
    expect(verdict.newlySilent).toEqual([]);
  });

  it.each([
    [true, 'if it still has none when the bake ends, the bake does not pass'],
    [false, 'the bake does not wait for it here'],
  ])('the thread line says what happens next (protected: %s)', (protectedEnvironment, text) => {
    expect(silentGateNote(gate('[prod] HTTP latency p99', 'No Data'), protectedEnvironment)).toBe(
      `Deploy gate [prod] HTTP latency p99 has no data, so it cannot judge this deploy; ${text} (https://app.datadoghq.com/monitors/[prod] HTTP latency p99)`,
    );
  });
});
