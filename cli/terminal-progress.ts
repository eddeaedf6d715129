/**
 * The deploy op's events on a terminal. Two renderings of the same {@link DeployEvent}s:
 *
 * - `live` (a person at a TTY): one status line per phase, redrawn in place with a spinner and the
 *   latest stack event, task counts or health result; warnings print above it and stay.
 * - `plain` (CI, a pipe, a file): one timestamped line per event, nothing redrawn, so that a log
 *   reads top to bottom.
 *
 * No dependency: `log-update` and `ora` do the redrawing, but both are ES modules only while this
 * project (and jest through @swc/jest) runs CommonJS, and what is needed is a cursor-up and a
 * clear-down (two ANSI sequences) on a frame of a few lines.
 */

import type { DeployEvent, DeployPhase } from '../ops/deploy/deploy-events';
import { redact } from '../ops/redact';

/** Where the command line writes: `process.stdout` or a test's collector. */
export interface TerminalOutput {
  write(text: string): unknown;
  /** True for a terminal (live progress is possible). */
  readonly isTTY?: boolean;
  /** Terminal width, to keep each live line on one row. */
  readonly columns?: number;
}

/** Renders a deploy's events. */
export interface DeployProgress {
  onEvent(event: DeployEvent): void;
  /** Stops redrawing and leaves the last state on screen. */
  stop(): void;
}

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  /** Timestamps of plain lines. @default the real clock */
  readonly clock?: () => Date;
  /** Between two spinner frames of the live display. @default 100 */
  readonly frameMs?: number;
}

/** True when progress may be drawn live: stdout is a terminal and `CI` is not set. */
export function isInteractive(output: TerminalOutput, env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return output.isTTY === true && !ci;
}

/** Creates the live or the plain rendering on `output`. */
export function createProgress(
  output: TerminalOutput,
  mode: 'live' | 'plain',
  options: ProgressOptions = {},
): DeployProgress {
  return mode === 'live' ? liveProgress(output, options) : plainProgress(output, options);
}

/** One line per event, e.g. `2026-11-25T12:00:01.250Z stack      Service (AWS::ECS::Service) UPDATE_COMPLETE`. */
function plainProgress(output: TerminalOutput, options: ProgressOptions): DeployProgress {
  const clock = options.clock ?? (() => new Date());
  const line = (label: string, text: string) =>
    output.write(`${clock().toISOString()} ${label.padEnd(12)} ${redact(text)}\n`);
  return {
    onEvent(event) {
      switch (event.type) {
        case 'phase':
          line(event.phase, event.detail);
          break;
        case 'stack':
          line('stack', describeStack(event));
          break;
        case 'service':
          line('tasks', describeTasks(event));
          break;
        case 'health':
          line('health', describeHealth(event));
          break;
        case 'gate-alert':
          line('gate-alert', describeGateAlert(event));
          break;
        case 'note':
          line(event.level === 'warn' ? 'warning' : 'note', event.message);
          break;
      }
    },
    stop() {},
  };
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface PhaseLine {
  readonly phase: DeployPhase;
  readonly detail: string;
  readonly startedAt: number;
  endedAt: number | null;
  failed: boolean;
  /** The latest stack event and task counts, and the health results, within the phase. */
  stack: string | null;
  tasks: string | null;
  readonly health: string[];
}

/** One status line per phase, redrawn in place. */
function liveProgress(output: TerminalOutput, options: ProgressOptions): DeployProgress {
  const phases: PhaseLine[] = [];
  let drawn = 0;
  let frame = 0;
  let stopped = false;
  const timer = setInterval(() => {
    frame = (frame + 1) % SPINNER.length;
    draw();
  }, options.frameMs ?? 100);
  timer.unref();

  const current = (): PhaseLine | undefined => phases.findLast((p) => p.endedAt === null);

  const toWidth = (text: string): string => {
    // A terminal that does not say its width (0 in some containers) gets a common one.
    const columns = output.columns && output.columns > 0 ? output.columns : 100;
    const width = Math.max(20, columns - 1);
    const chars = [...text];
    return chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : text;
  };

  const render = (p: PhaseLine): string => {
    const end = p.endedAt ?? Date.now();
    const mark = p.failed ? '✖' : p.endedAt === null && !stopped ? SPINNER[frame] : '✔';
    const seen = [p.stack, p.tasks, ...p.health].filter((a) => a !== null);
    const activity = seen.length > 0 ? ` — ${seen.join(' · ')}` : '';
    // The time before the activity: a line cut to the terminal's width loses the activity's tail.
    return toWidth(`${mark} ${p.detail} (${seconds(end - p.startedAt)})${activity}`);
  };

  /** Moves the cursor back to the top of the frame and clears it. */
  const clear = (): void => {
    if (drawn > 0) output.write(`\x1b[${drawn}F\x1b[0J`);
    drawn = 0;
  };

  const draw = (): void => {
    if (phases.length === 0) return;
    const lines = phases.map(render);
    clear();
    output.write(`${lines.map((l) => redact(l)).join('\n')}\n`);
    drawn = lines.length;
  };

  /** Prints a line above the frame, where it stays. */
  const persist = (text: string): void => {
    clear();
    output.write(`${toWidth(redact(text))}\n`);
    draw();
  };

  return {
    onEvent(event) {
      if (stopped) return;
      const phase = current();
      switch (event.type) {
        case 'phase':
          if (phase) phase.endedAt = Date.now();
          if (event.phase === 'finished') {
            // A deploy that did not succeed failed in its last phase, unless an earlier one said so.
            const last = phases.at(-1);
            if (event.detail !== 'succeeded' && last && !phases.some((p) => p.failed)) last.failed = true;
            break;
          }
          phases.push({
            phase: event.phase,
            detail: event.detail,
            startedAt: Date.now(),
            endedAt: null,
            failed: false,
            stack: null,
            tasks: null,
            health: [],
          });
          break;
        case 'stack':
          if (phase) {
            phase.stack = describeStack(event);
            if (/FAILED|ROLLBACK/.test(event.status)) phase.failed = true;
          }
          break;
        case 'service':
          if (phase) phase.tasks = `tasks ${describeTasks(event)}`;
          break;
        case 'health':
          if (phase) {
            phase.health.push(describeHealth(event));
            if (!event.ok) phase.failed = true;
          }
          break;
        case 'gate-alert':
          if (phase) phase.failed = true;
          persist(`🚨 ${describeGateAlert(event)}`);
          return;
        case 'note':
          persist(`${event.level === 'warn' ? '⚠' : 'ℹ'} ${event.message}`);
          return;
      }
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      for (const p of phases) p.endedAt ??= Date.now();
      draw();
    },
  };
}

function describeStack(event: Extract<DeployEvent, { type: 'stack' }>): string {
  return `${event.logicalId} (${event.resourceType}) ${event.status}${event.reason ? `: ${event.reason}` : ''}`;
}

function describeTasks(event: Extract<DeployEvent, { type: 'service' }>): string {
  const failed = event.failedTasks > 0 ? `; ${event.failedTasks} failed` : '';
  const reason = event.reason ? ` (${event.reason})` : '';
  return `${event.running} running, ${event.pending} pending of ${event.desired}; ${event.draining} draining${failed} · ${event.rolloutState ?? 'no rollout'}${reason}`;
}

function describeHealth(event: Extract<DeployEvent, { type: 'health' }>): string {
  return `${healthLabel(event)} ${HEALTH_STATUS[event.status]}: ${event.detail}`;
}

const HEALTH_STATUS = { ok: 'ok', failed: 'FAILED', 'not-checked': 'not checked' } as const;

/** `ECS rollout`, `HTTP targets`, `GRPC targets`, and `HTTP` / `GRPC` for the end-to-end requests. */
export function healthLabel(event: Extract<DeployEvent, { type: 'health' }>): string {
  if (event.check === 'rollout') return 'ECS rollout';
  const protocol = (event.protocol ?? '').toUpperCase();
  return event.check === 'targets' ? `${protocol} targets` : protocol;
}

function describeGateAlert(event: Extract<DeployEvent, { type: 'gate-alert' }>): string {
  return `deploy-gate monitor alerted: ${event.monitors.map((m) => `${m.name} (${m.url})`).join(', ')}`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}
