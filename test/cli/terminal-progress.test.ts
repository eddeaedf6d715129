import { createProgress, isInteractive } from '../../cli/terminal-progress';
import type { DeployEvent } from '../../ops/deploy/deploy-events';

const AT = new Date('2026-11-25T12:00:00.000Z');

function collector(columns = 80) {
  const chunks: string[] = [];
  return {
    isTTY: true,
    columns,
    write(text: string) {
      chunks.push(text);
      return true;
    },
    text: () => chunks.join(''),
  };
}

describe('plain progress', () => {
  it.each<[string, DeployEvent, string]>([
    [
      'a phase',
      { type: 'phase', phase: 'baking', detail: 'Baking for 10 min' },
      'baking       Baking for 10 min',
    ],
    [
      'a stack event with its reason',
      {
        type: 'stack',
        logicalId: 'Service',
        resourceType: 'AWS::ECS::Service',
        status: 'UPDATE_FAILED',
        reason: 'circuit breaker',
      },
      'stack        Service (AWS::ECS::Service) UPDATE_FAILED: circuit breaker',
    ],
    [
      'the tasks',
      {
        type: 'service',
        rolloutState: 'IN_PROGRESS',
        running: 1,
        pending: 1,
        desired: 2,
        draining: 2,
        failedTasks: 0,
        reason: null,
      },
      'tasks        1 running, 1 pending of 2; 2 draining · IN_PROGRESS',
    ],
    [
      'a failed health check',
      {
        type: 'health',
        check: 'end-to-end',
        protocol: 'grpc',
        status: 'failed',
        ok: false,
        detail: 'Check 10.0.0.1:9000: NOT_SERVING',
      },
      'health       GRPC FAILED: Check 10.0.0.1:9000: NOT_SERVING',
    ],
    [
      'an end-to-end request not made from here',
      {
        type: 'health',
        check: 'end-to-end',
        protocol: 'http',
        status: 'not-checked',
        ok: true,
        detail: 'GET http://lb/healthz: not checked from here: egress is allowed on 443, 9000 only',
      },
      'health       HTTP not checked: GET http://lb/healthz: not checked from here: egress is allowed on 443, 9000 only',
    ],
    [
      "the load balancer's target health",
      {
        type: 'health',
        check: 'targets',
        protocol: 'http',
        status: 'ok',
        ok: true,
        detail: '2 new task(s) of 2: 10.0.1.5 healthy, 10.0.2.7 healthy',
      },
      'health       HTTP targets ok: 2 new task(s) of 2: 10.0.1.5 healthy, 10.0.2.7 healthy',
    ],
    [
      'a gate alert',
      { type: 'gate-alert', monitors: [{ name: 'Errors', url: 'https://app.datadoghq.com/monitors/1' }] },
      'gate-alert   deploy-gate monitor alerted: Errors (https://app.datadoghq.com/monitors/1)',
    ],
    [
      'a warning, with a secret redacted',
      { type: 'note', level: 'warn', message: 'Could not unmute: token=abcdef0123456789' },
      'warning      Could not unmute: token=[redacted]',
    ],
  ])('prints %s as one timestamped line', (_name, event, line) => {
    // GIVEN
    const out = collector();
    const progress = createProgress(out, 'plain', { clock: () => AT });

    // WHEN
    progress.onEvent(event);
    progress.stop();

    // THEN
    expect(out.text()).toBe(`2026-11-25T12:00:00.000Z ${line}\n`);
  });
});

describe('live progress', () => {
  it('keeps each phase on one row of the terminal, and marks the phase that failed', () => {
    // GIVEN a narrow terminal
    const out = collector(40);
    const progress = createProgress(out, 'live', { frameMs: 60_000 });

    // WHEN
    progress.onEvent({ type: 'phase', phase: 'deploying', detail: 'Deploying v1.5.0 to wheelhouse-dev' });
    progress.onEvent({
      type: 'stack',
      logicalId: 'ServiceFargateService',
      resourceType: 'AWS::ECS::Service',
      status: 'UPDATE_FAILED',
      reason: 'circuit breaker',
    });
    progress.onEvent({ type: 'note', level: 'warn', message: 'Could not read the ECS service' });
    progress.onEvent({ type: 'phase', phase: 'finished', detail: 'rolled-back' });
    progress.stop();

    // THEN the warning stays above the frame, and no line is wider than the terminal
    const ESC = String.fromCharCode(27);
    const frames = out.text().split(new RegExp(`${ESC}\\[\\d+F${ESC}\\[0J`));
    const last = frames.at(-1)!;
    expect(last).toMatch(/^✖ Deploying v1\.5\.0 to wheelhouse-dev .*…\n$/);
    expect(out.text()).toContain('⚠ Could not read the ECS service\n');
    for (const line of out
      .text()
      .replaceAll(new RegExp(`${ESC}\\[\\d+[FJ]`, 'g'), '')
      .split('\n')) {
      expect([...line].length).toBeLessThanOrEqual(39);
    }
  });
});

describe('choosing the rendering', () => {
  it.each<[string, boolean, NodeJS.ProcessEnv, boolean]>([
    ['a terminal outside CI', true, {}, true],
    ['a terminal in CI', true, { CI: 'true' }, false],
    ['a terminal with CI=false', true, { CI: 'false' }, true],
    ['a pipe', false, {}, false],
  ])('draws live on %s: %s', (_name, isTTY, env, live) => {
    expect(isInteractive({ isTTY, write: () => true }, env)).toBe(live);
  });
});
