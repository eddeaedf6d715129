/** Who ran a command, and where. */

/** The person and the channel behind one command or button click. */
export interface Caller {
  /** Slack user id (U…/W…). */
  readonly userId: string;
  /** Display or user name, for logs and the shell prompt. */
  readonly userName: string;
  /** Channel id (C…/G…/D…), or `shell` in the local shell. */
  readonly channelId: string;
}
