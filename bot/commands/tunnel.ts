/** `/tunnel <env> [reader]`: the exact commands to open a tunnel to the database, SSH and SSM variants. */

import { MissingCredentialsError } from '../../ops/aws-errors';
import { knownHostsLine, readBastionHostKeys } from '../../ops/bastion-host-keys';
import { listBastionKeys } from '../../ops/bastion-keys';
import { readTunnelTarget, tunnelCommands } from '../../ops/tunnel';
import { UsageError } from '../../ops/user-error';
import { codeBlock, context, escapeMrkdwn, section } from '../../slack/blocks';
import { ephemeral } from '../../slack/reply';
import type { CommandModule } from './command';
import { takeEnvironment, words } from './environment-argument';
import { formatTime } from './format-time';

/** The slash command name. */
export const name = 'tunnel';
/** The usage line. */
export const usage = '/tunnel <env> [writer|reader]';

/** The `/tunnel` module. */
export const tunnelCommand: CommandModule = {
  name,
  usage,
  summary:
    'How to open a tunnel to the database (writer, or reader): through the bastion with SSH, or with SSM Session Manager.',
  permission: 'tunnel',
  parse(text, ctx) {
    const tokens = words(text);
    const { environment, consumed } = takeEnvironment(tokens, ctx, usage, ['writer', 'reader']);
    const [which = 'writer', extra] = tokens.slice(consumed);
    if (which !== 'writer' && which !== 'reader') {
      throw new UsageError(`Choose \`writer\` or \`reader\`, not "${which.slice(0, 30)}".`, usage);
    }
    if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra.slice(0, 30)}".`, usage);
    return {
      environment,
      auditArgs: `${environment.name} ${which}`,
      async run(run) {
        if (!(await run.aws.hasCredentials(environment.region))) {
          throw new MissingCredentialsError(`read the tunnel endpoints of ${environment.name}`);
        }
        const [target, keys, hostKeys] = await Promise.all([
          readTunnelTarget(run.aws, environment, which),
          listBastionKeys(run.aws, environment, run.now()),
          readBastionHostKeys(run.aws, environment),
        ]);
        const commands = tunnelCommands(target);
        const mine = keys.filter((k) => k.owner === run.caller.userId);
        const active = mine.filter((k) => !k.expired);
        const tz = run.config.project.timeZone;
        const blocks = [
          section(
            `*Tunnel to the ${environment.name} ${which}* \`${escapeMrkdwn(target.databaseHost)}:${target.databasePort}\`, on \`127.0.0.1:${target.localPort}\` locally`,
          ),
        ];
        if (active.length > 0) {
          blocks.push(section('*SSH through the bastion*'), codeBlock(commands.ssh));
          if (hostKeys) {
            const host = target.bastionHost;
            blocks.push(
              section(
                `*Bastion host key:* ${hostKeys.map((k) => `\`${k.fingerprint}\` (${escapeMrkdwn(k.type)})`).join(', ')}. Check it against what ssh shows on first connect, or pin it in known_hosts (replacing an old entry for the address):`,
              ),
              codeBlock(
                [
                  `ssh-keygen -R ${host}`,
                  ...hostKeys.map((k) => `echo '${knownHostsLine(host, k)}' >> ~/.ssh/known_hosts`),
                ].join('\n'),
              ),
            );
          } else {
            blocks.push(
              context(
                `Bastion host key not yet published (the bastion writes it to \`${environment.bastion.hostKeysParameterName}\` when it boots): do not accept an unknown key blindly; ask the platform team to check the instance's console output.`,
              ),
            );
          }
          blocks.push(
            context(
              `Uses your registered key ${active.map((k) => `\`${k.fingerprint}\` (expires ${formatTime(k.expiresAt, tz)})`).join(', ')}. Add \`-i <private key file>\` if it is not your default key.`,
            ),
          );
        } else {
          const expired =
            mine.length > 0
              ? ` Your key ${mine.map((k) => `\`${k.fingerprint}\``).join(', ')} has expired.`
              : '';
          blocks.push(
            section(
              `:no_entry: *SSH through the bastion:* you have no registered key in ${environment.name}.${expired} Add one with \`/bastion-key ${environment.name} add <public key>\` (the line in your \`~/.ssh/id_ed25519.pub\`), then run \`/tunnel ${environment.name}\` again.`,
            ),
          );
        }
        blocks.push(
          section('*SSM Session Manager* (no open port 22; needs AWS access and the Session Manager plugin)'),
        );
        blocks.push(codeBlock(commands.ssm));
        blocks.push(section('*Then connect*'), codeBlock(commands.connect));
        return ephemeral(
          `Tunnel to the ${environment.name} ${which}: ${active.length > 0 ? commands.ssh : commands.ssm}`,
          blocks,
        );
      },
    };
  },
};
