/**
 * `/bastion-key <env> add <public key> | list | remove <fingerprint>`: the SSH keys the bastion
 * accepts for tunnels. People add and remove their own keys; environment admins remove any.
 */
import type { EnvironmentConfig } from '../../config';
import { MissingCredentialsError } from '../../ops/aws-errors';
import {
  addBastionKey,
  type BastionKey,
  findBastionKey,
  listBastionKeys,
  planAddBastionKey,
  planRemoveBastionKey,
  removeBastionKey,
} from '../../ops/bastion-keys';
import { describeRoles } from '../../ops/describe-roles';
import { parseSshPublicKey } from '../../ops/keys/ssh-public-key';
import { RefusalError, UsageError, UserError } from '../../ops/user-error';
import { actions, button, context, escapeMrkdwn, section } from '../../slack/blocks';
import { ephemeral, type Reply } from '../../slack/reply';
import type { ActionModule, CommandContext, CommandModule } from './command';
import { afterWords, takeEnvironment, words } from './environment-argument';
import { formatTime } from './format-time';
import { planReply } from './plan-reply';

/** The slash command name. */
export const name = 'bastion-key';
/** The usage line. */
export const usage = '/bastion-key <env> add <public key> | list | remove <fingerprint>';
/** `action_id` of the Remove button on each key in `list`. */
export const BASTION_KEY_REMOVE_ACTION = 'bastion_key_remove';

const SUBCOMMANDS = ['add', 'list', 'remove'] as const;
const FINGERPRINT = /^(?:SHA256:)?([A-Za-z0-9+/]{43})$/;

/** The Remove button: runs `/bastion-key <env> remove <fingerprint>` as the person who clicked. */
const removeAction: ActionModule = {
  actionId: BASTION_KEY_REMOVE_ACTION,
  async handle(value, ctx) {
    const reply = await ctx.runCommand(name, value);
    return { reply, replaceOriginal: true };
  },
};

/** The `/bastion-key` module. */
export const bastionKeyCommand: CommandModule = {
  name,
  usage,
  summary: 'Add your SSH public key for tunnels through the bastion, list keys, or remove one.',
  permission: 'bastion-key',
  actions: [removeAction],
  parse(text, ctx) {
    const tokens = words(text);
    const { environment, consumed } = takeEnvironment(tokens, ctx, usage, SUBCOMMANDS);
    const subcommand = tokens[consumed];
    if (subcommand === 'add') {
      const key = parseSshPublicKey(afterWords(text, consumed + 1));
      return {
        environment,
        auditArgs: `${environment.name} add ${key.fingerprint}`,
        run: async (run) => {
          if (!(await run.aws.hasCredentials(environment.region))) {
            return planReply(
              `Would add your ${key.type} key \`${key.fingerprint}\` to ${environment.name}:`,
              planAddBastionKey(environment, key, run.caller.userId, run.now()),
            );
          }
          const added = await addBastionKey(run.aws, environment, key, run.caller.userId, run.now());
          const verb = added.renewed ? 'Renewed' : 'Added';
          const expires = formatTime(added.expiresAt, run.config.project.timeZone);
          return ephemeral(
            `${verb} your key ${added.fingerprint} in ${environment.name}; it expires ${expires}.`,
            [
              section(
                `:key: ${verb} your ${key.type} key \`${added.fingerprint}\` in *${environment.name}*. It expires ${expires}.`,
              ),
              context(
                `It may only forward to the database. Get the tunnel command with \`/tunnel ${environment.name}\`.`,
              ),
            ],
          );
        },
      };
    }
    if (subcommand === 'list') {
      if (tokens.length > consumed + 1) throw new UsageError('`list` takes no argument.', usage);
      return { environment, auditArgs: `${environment.name} list`, run: (run) => listKeys(environment, run) };
    }
    if (subcommand === 'remove') {
      const given = tokens[consumed + 1] ?? '';
      const match = FINGERPRINT.exec(given);
      if (!match || tokens.length > consumed + 2) {
        throw new UsageError(
          'Give the fingerprint of the key to remove (`SHA256:…`, as `list` shows it).',
          usage,
        );
      }
      const fingerprint = `SHA256:${match[1]}`;
      return {
        environment,
        auditArgs: `${environment.name} remove ${fingerprint}`,
        run: (run) => removeKey(environment, fingerprint, run),
      };
    }
    throw new UsageError(
      subcommand
        ? `Unknown subcommand "${subcommand.slice(0, 30)}".`
        : 'Say what to do: add, list or remove.',
      usage,
    );
  },
};

async function listKeys(environment: EnvironmentConfig, run: CommandContext): Promise<Reply> {
  if (!(await run.aws.hasCredentials(environment.region))) {
    throw new MissingCredentialsError(`list the bastion keys of ${environment.name}`);
  }
  const keys = await listBastionKeys(run.aws, environment, run.now());
  const admin = await run.isAdmin(environment);
  if (keys.length === 0) {
    return ephemeral(`No bastion keys in ${environment.name}.`, [
      section(
        `No bastion keys in *${environment.name}*. Add yours with \`/bastion-key ${environment.name} add <public key>\`.`,
      ),
    ]);
  }
  const tz = run.config.project.timeZone;
  const blocks = [section(`*Bastion keys in ${environment.name}* (${keys.length})`)];
  for (const key of keys) {
    blocks.push(section(describeKey(key, tz)));
    if (key.owner === run.caller.userId || admin) {
      blocks.push(
        actions([
          button(BASTION_KEY_REMOVE_ACTION, 'Remove', `${environment.name} remove ${key.fingerprint}`, {
            style: 'danger',
            confirm: `Remove key \`${key.fingerprint}\` of <@${key.owner}> from ${environment.name}?`,
          }),
        ]),
      );
    }
  }
  return ephemeral(`${keys.length} bastion keys in ${environment.name}`, blocks);
}

function describeKey(key: BastionKey, timeZone: string): string {
  const state = key.expired ? ':hourglass: expired' : 'expires';
  return `\`${key.fingerprint}\` ${key.type} of <@${key.owner}>: ${state} ${formatTime(key.expiresAt, timeZone)}`;
}

async function removeKey(
  environment: EnvironmentConfig,
  fingerprint: string,
  run: CommandContext,
): Promise<Reply> {
  if (!(await run.aws.hasCredentials(environment.region))) {
    return planReply(
      `Would remove key \`${fingerprint}\` from ${environment.name}:`,
      planRemoveBastionKey(environment, fingerprint),
    );
  }
  const key = await findBastionKey(run.aws, environment, fingerprint, run.now());
  if (!key) {
    throw new UserError(
      `There is no key \`${escapeMrkdwn(fingerprint)}\` in ${environment.name}.`,
      `\`/bastion-key ${environment.name} list\` shows the registered keys.`,
    );
  }
  if (key.owner !== run.caller.userId && !(await run.isAdmin(environment))) {
    throw new RefusalError(
      `That key belongs to <@${key.owner}>: you may remove only your own keys.`,
      `Ask them, or the ${environment.name} admins (${describeRoles(environment.permissions.admins)}).`,
    );
  }
  await removeBastionKey(run.aws, environment, key);
  const whose = key.owner === run.caller.userId ? 'your' : `<@${key.owner}>'s`;
  return ephemeral(`Removed key ${fingerprint} from ${environment.name}.`, [
    section(
      `:wastebasket: Removed ${whose} key \`${fingerprint}\` from *${environment.name}*. The bastion refuses it from the next login on.`,
    ),
  ]);
}
