/**
 * What `wheelhouse deploy` and `wheelhouse rollback` run with, built from one command's context: the
 * AWS clients, the Datadog deploy guard (a no-op without keys), who runs it, the clock, the output and
 * the progress display (live on a terminal, plain lines in CI), and the interrupt signal.
 */
import { readDatadogSettings } from '../../clients/datadog-client';
import { createDeployGuard } from '../../ops/deploy/deploy-mute';
import type { DeployCommandContext } from '../deploy-command';
import { createProgress, isInteractive } from '../terminal-progress';
import type { EnvironmentContext } from './command';

/** The deploy context of `ctx`. */
export function deployContext(ctx: EnvironmentContext): DeployCommandContext {
  const mode = isInteractive(ctx.stdout, ctx.env) ? 'live' : 'plain';
  return {
    config: ctx.config,
    aws: ctx.aws(),
    guard: ctx.deps.guard ?? createDeployGuard(ctx.config, readDatadogSettings(ctx.env)),
    identity: ctx.identity,
    now: ctx.deps.now ?? (() => new Date()),
    print: ctx.print,
    startProgress: () => createProgress(ctx.stdout, mode),
    signal: ctx.deps.signal,
  };
}
