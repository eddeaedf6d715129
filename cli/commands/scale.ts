/** `wheelhouse scale`: the command line's `/scale`, through the one change policy and `ops/scale.ts`. */
import type { ScaleTarget } from '../../ops/scale';
import { CliUsageError } from '../cli-usage-error';
import { runScaleCommand } from '../scale-command';
import type { CommandOutcome, EnvironmentCommand, ParsedOptions } from './command';

/** The usage line, after `wheelhouse `. */
export const usage = 'scale --env <env> (--count <n> | --min <n> --max <n>) [--to-zero] [--plan] [--verbose]';

const OUTCOME = {
  unchanged: 'ok',
  changes: 'changes',
  settled: 'ok',
  unsettled: 'failed',
} as const satisfies Record<string, CommandOutcome>;

/** Task counts as the bot's `/scale` takes them: up to four digits; the limits are checked after. */
const WHOLE_NUMBER = /^\d{1,4}$/;

/** Reads `--count`, or `--min` and `--max`, into a target; anything else is a usage error saying what to give. */
export function parseScaleOptions(options: ParsedOptions): ScaleTarget {
  const count = options.string('count');
  const min = options.string('min');
  const max = options.string('max');
  const fail = (message: string) => new CliUsageError(message, usage, 'scale');
  if (count !== null && (min !== null || max !== null)) {
    throw fail('Give either --count <n> or --min <n> --max <n>, not both.');
  }
  if (count !== null) return { kind: 'count', count: taskNumber('--count', count, fail) };
  if (min === null && max === null) {
    throw fail('Say how many tasks (--count <n>) or new autoscaling bounds (--min <n> --max <n>).');
  }
  if (min === null || max === null) {
    throw fail(`--min and --max go together: give ${min === null ? '--min <n>' : '--max <n>'} too.`);
  }
  const bounds = {
    kind: 'bounds',
    min: taskNumber('--min', min, fail),
    max: taskNumber('--max', max, fail),
  } as const;
  if (bounds.min > bounds.max) {
    throw fail(`--min ${bounds.min} is above --max ${bounds.max}: the minimum must not exceed the maximum.`);
  }
  return bounds;
}

function taskNumber(option: string, value: string, fail: (message: string) => Error): number {
  if (!WHOLE_NUMBER.test(value.trim())) {
    throw fail(`${option} takes a whole number of tasks (0 or more), got "${value.slice(0, 20)}".`);
  }
  return Number(value.trim());
}

/** The `scale` module. */
export const scaleCommand: EnvironmentCommand = {
  kind: 'leaf',
  name: 'scale',
  summary: "set the service's task count or autoscaling bounds (or show the plan), as /scale in Slack",
  usage,
  description: `Sets the service's desired task count within its autoscaling bounds (ECS UpdateService), or new
autoscaling bounds (Application Auto Scaling RegisterScalableTarget), then watches until the running
count matches the desired one (exit 0) or the deadline passes (exit 1). Never beyond the
environment's hard limit (service.limits.maxTasks); a count outside the live bounds is refused with
the --min/--max to set first.

The change policy decides first, as for /scale in Slack: a scale that lets the service run no task
(0, or bounds with a 0) needs --to-zero. In a protected environment, a scale above
service.limits.approvalAboveTasks or below service.tasks.min needs an approval, which the command line
cannot ask for: it refuses, and /scale in Slack asks an approver. A scale does not wait for the deploy
lock or a freeze window.

--plan changes nothing: it prints the current size, the one requested and what the policy says; exit
3 when the scale would change the desired count or the bounds, 0 when not, 2 when the policy would
stop it. Without AWS credentials it prints the calls a scale makes and the rules, and exits 0.

Environment: WHEELHOUSE_ASSUME_OPERATOR_ROLE=true to act through the environment's operator role (CI
on AWS).`,
  options: {
    count: { type: 'string', value: '<n>', description: 'the desired task count (within the live bounds)' },
    min: { type: 'string', value: '<n>', description: 'the new autoscaling minimum (with --max)' },
    max: { type: 'string', value: '<n>', description: 'the new autoscaling maximum (with --min)' },
    'to-zero': {
      type: 'boolean',
      description: 'a scale that lets the service run no task is meant (0, or bounds with a 0)',
    },
    plan: {
      type: 'boolean',
      description: 'change nothing: show now → requested and what the policy says (exit 3: it would change)',
    },
  },
  examples: [
    'wheelhouse scale --env dev --count 3',
    'wheelhouse scale --env prod --min 3 --max 12 --plan',
    'wheelhouse scale --env dev --count 0 --to-zero',
  ],
  exitCodes:
    '0 scaled and settled (or nothing to change), 1 the tasks did not settle by the deadline, 2 refused (the policy, the limits, no credentials) or bad input, 3 --plan: it would change.',
  audited: true,
  takesEnvironment: true,
  async run(ctx, options) {
    const target = parseScaleOptions(options);
    const result = await runScaleCommand(
      {
        config: ctx.config,
        aws: ctx.aws(),
        identity: ctx.identity,
        now: ctx.deps.now ?? (() => new Date()),
        print: ctx.print,
        signal: ctx.deps.signal,
      },
      {
        environment: ctx.environment,
        target,
        toZero: options.flag('to-zero'),
        plan: options.flag('plan'),
      },
    );
    return OUTCOME[result];
  },
};
