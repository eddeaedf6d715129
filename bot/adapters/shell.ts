/**
 * The local shell: a person types the same commands as in Slack, as themselves (a user id, name and
 * groups from the environment, as Hubot's shell adapter does). Replies print as text; buttons are
 * numbered and pressed with `click <n>`; progress threads print as they are edited.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Config } from '../../config';
import type { AwsClients } from '../../ops/aws-clients';
import type { BotLogger } from '../../ops/logger';
import { PagerDutyConnection } from '../../ops/pagerduty-connection';
import { createAuditor } from '../../slack/audit';
import type { ButtonElement } from '../../slack/blocks';
import type { MessageSurface } from '../../slack/progress-thread';
import type { Reply } from '../../slack/reply';
import type { CommandModule } from '../commands/command';
import { createDispatcher } from '../dispatcher';
import type { Drain } from '../drain';
import type { ShellUser } from '../env';
import { staticGroupDirectory } from '../group-directory';
import { blocksToText } from './blocks-to-text';

/** Options for {@link runShell}. */
export interface ShellOptions {
  readonly config: Config;
  readonly commands: readonly CommandModule[];
  readonly aws: AwsClients;
  /** PagerDuty for `/oncall` and `/page`. @default none configured (they say what to set) */
  readonly pagerDuty?: PagerDutyConnection;
  readonly logger: BotLogger;
  readonly user: ShellUser;
  readonly input: Readable;
  readonly output: Writable;
  /** Shown once before the first prompt. */
  readonly banner?: string;
  readonly now?: () => Date;
  /**
   * Tracks the commands and background work, for a graceful stop: once it drains, the shell reads
   * no more input and returns after the command in progress. @default a drain of its own
   */
  readonly drain?: Drain;
}

/** Runs the shell until the input ends or the person types `exit`. */
export async function runShell(options: ShellOptions): Promise<void> {
  const { output, user } = options;
  const print = (text: string): void => {
    output.write(`${text}\n`);
  };
  let ts = 0;
  const surface: MessageSurface = {
    async post(_channel, reply, threadTs) {
      print(`${threadTs ? '  └ ' : '» '}${render(reply).text}`);
      return `${++ts}`;
    },
    async update(_channel, _ts, reply) {
      print(`  ↻ ${render(reply).text}`);
    },
  };
  const dispatcher = createDispatcher({
    config: options.config,
    commands: options.commands,
    aws: options.aws,
    pagerDuty: options.pagerDuty ?? new PagerDutyConnection({}),
    groups: staticGroupDirectory({ [user.id]: user.groups }),
    logger: options.logger,
    auditor: createAuditor({ logger: options.logger, channelId: null, surface: null }),
    surface,
    now: options.now,
    progressEditIntervalMs: 0,
    drain: options.drain,
  });
  const caller = { userId: user.id, userName: user.name, channelId: user.channelId };
  let buttons: readonly ButtonElement[] = [];
  const render = (reply: Reply) => blocksToText(reply.blocks);

  if (options.banner) print(options.banner);
  const prompt = `${user.name}> `;
  const lines = createInterface({ input: options.input, terminal: false });
  dispatcher.drain.onDrain(() => lines.close());
  output.write(prompt);
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === 'exit' || line === 'quit') break;
    if (line !== '') {
      const click = /^click\s+(\d+)$/.exec(line);
      if (click) {
        const button = buttons[Number(click[1]) - 1];
        if (!button) {
          print(`There is no button ${click[1]}.`);
        } else {
          const result = await dispatcher.runAction({
            actionId: button.action_id,
            value: button.value ?? '',
            caller,
          });
          if (result) {
            const shown = render(result.reply);
            buttons = shown.buttons;
            print(shown.text);
          }
        }
      } else {
        const command = line.replace(/^\//, '').split(/\s+/)[0] ?? '';
        const text = line.replace(/^\/?\S+\s*/, '');
        const reply = await dispatcher.runCommand({ command, text, caller });
        const shown = render(reply);
        buttons = shown.buttons;
        print(shown.text);
      }
    }
    output.write(prompt);
  }
  output.write('\n');
  lines.close();
}
