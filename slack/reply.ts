/** What a command answers: a message with fallback text and blocks, seen by one person or the channel. */
import { type Block, context, section } from './blocks';

/** A message the bot sends. `text` is the notification/fallback text; `blocks` is what people see. */
export interface Reply {
  readonly text: string;
  readonly blocks: readonly Block[];
  /** `ephemeral`: only the person who ran the command sees it. @default 'ephemeral' */
  readonly visibility: 'ephemeral' | 'in_channel';
}

/** An ephemeral reply from blocks (the fallback text is the first line people would see). */
export function ephemeral(text: string, blocks: readonly Block[] = [section(text)]): Reply {
  return { text, blocks, visibility: 'ephemeral' };
}

/** A reply the whole channel sees. */
export function inChannel(text: string, blocks: readonly Block[] = [section(text)]): Reply {
  return { text, blocks, visibility: 'in_channel' };
}

/** The reply for an error a person should read: what went wrong, then what to do. */
export function userErrorReply(message: string, hint?: string): Reply {
  const blocks = [section(`:warning: ${message}`)];
  if (hint) blocks.push(context(hint));
  return ephemeral(hint ? `${message} ${hint}` : message, blocks);
}

/** The reply for an internal error: short, with the correlation id that is in the log. */
export function internalErrorReply(correlationId: string): Reply {
  const text = `Something went wrong on our side. The error is logged with id \`${correlationId}\`: give it to the platform team.`;
  return ephemeral(text, [section(`:boom: ${text}`)]);
}
