/** `/help [command]`: the commands, generated from the registered modules. */

import type { Config } from '../../config';
import { UsageError } from '../../ops/user-error';
import { context, escapeMrkdwn, header, section } from '../../slack/blocks';
import { ephemeral, type Reply } from '../../slack/reply';
import type { CommandModule } from './command';
import { words } from './environment-argument';

/** The slash command name. */
export const name = 'help';
/** The usage line. */
export const usage = '/help [command]';

/** The `/help` module. */
export const helpCommand: CommandModule = {
  name,
  usage,
  summary: 'What each command does and how to call it.',
  permission: null,
  parse(text) {
    const [wanted, extra] = words(text).map((w) => w.replace(/^\//, ''));
    if (extra !== undefined) throw new UsageError('`/help` takes at most one command name.', usage);
    return {
      environment: null,
      auditArgs: wanted ?? '',
      async run(ctx) {
        // The reply depends only on the commands, the configuration and what was asked: render it once.
        const byConfig = cache.get(ctx.commands) ?? new WeakMap<Config, Map<string, Reply>>();
        cache.set(ctx.commands, byConfig);
        const replies = byConfig.get(ctx.config) ?? new Map<string, Reply>();
        byConfig.set(ctx.config, replies);
        const cached = replies.get(wanted ?? '');
        if (cached) return cached;
        const reply = render(ctx.commands, ctx.config, wanted);
        replies.set(wanted ?? '', reply);
        return reply;
      },
    };
  },
};

const cache = new WeakMap<readonly CommandModule[], WeakMap<Config, Map<string, Reply>>>();

function render(all: readonly CommandModule[], config: Config, wanted: string | undefined): Reply {
  const commands = wanted ? all.filter((c) => c.name === wanted) : all;
  if (wanted && commands.length === 0) {
    throw new UsageError(
      `There is no /${escapeMrkdwn(wanted.slice(0, 30))} command; known: ${all.map((c) => `/${c.name}`).join(', ')}.`,
      usage,
    );
  }
  const lines = commands.map((c) => `\`${c.usage}\`\n${c.summary}`);
  const environments = config.environments.map((e) => e.name).join(', ');
  return ephemeral(`Wheelhouse commands: ${commands.map((c) => `/${c.name}`).join(', ')}`, [
    header('Wheelhouse'),
    section(lines.join('\n\n')),
    context(
      `Environments: ${environments}. In a channel bound to one environment, \`<env>\` may be left out (except for \`/page\`, which always names it).`,
    ),
  ]);
}
