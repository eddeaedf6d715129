/** A mistake in the command line's arguments: exit 2, with the usage line of the command as the hint. */
import { UserError } from '../ops/user-error';

/** A usage mistake; the hint names the usage line and where the help is. */
export class CliUsageError extends UserError {
  override readonly name = 'CliUsageError';

  /**
   * @param usage the usage line after `wheelhouse ` (e.g. `deploy --env <env> …`)
   * @param helpCommand the command whose `--help` says more (e.g. `deploy`); empty for the top level
   */
  constructor(message: string, usage: string, helpCommand: string) {
    const help = helpCommand ? `wheelhouse ${helpCommand} --help` : 'wheelhouse --help';
    super(message, `Usage: wheelhouse ${usage} (${help} for more)`, 'usage');
  }
}
