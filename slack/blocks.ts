/**
 * The small subset of Block Kit that the bot renders, with builders. Structurally the same JSON
 * that Slack accepts; the shell adapter turns it into text (see `adapters/blocks-to-text.ts`).
 */

/** A text object. */
export interface TextObject {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
}

/** A button element; its `value` travels back in the interaction payload. */
export interface ButtonElement {
  readonly type: 'button';
  readonly action_id: string;
  readonly text: TextObject;
  readonly value?: string;
  readonly style?: 'primary' | 'danger';
  readonly confirm?: {
    readonly title: TextObject;
    readonly text: TextObject;
    readonly confirm: TextObject;
    readonly deny: TextObject;
  };
}

/** The blocks the bot uses. */
export type Block =
  | { readonly type: 'header'; readonly text: TextObject }
  | { readonly type: 'section'; readonly text?: TextObject; readonly fields?: readonly TextObject[] }
  | { readonly type: 'context'; readonly elements: readonly TextObject[] }
  | { readonly type: 'divider' }
  | { readonly type: 'actions'; readonly block_id?: string; readonly elements: readonly ButtonElement[] };

/** Slack rejects section text longer than this. */
const SECTION_TEXT_LIMIT = 3000;

/** Escapes `&`, `<` and `>` so that user input cannot form links or mentions in mrkdwn. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Names who did something: a mention for a Slack user id, else the identity as text (the command
 * line records `ci:<actor>@<repository>#<run>` or `cli:<user>`, which Slack cannot mention).
 */
export function mention(id: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : `\`${escapeMrkdwn(id)}\``;
}

/** A header block (plain text). */
export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: text.slice(0, 150) } };
}

/** A section with mrkdwn text. */
export function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, SECTION_TEXT_LIMIT) } };
}

/** A section of two-column fields (`*label*\nvalue`), at most 10 as Slack allows. */
export function fields(pairs: readonly (readonly [string, string])[]): Block {
  return {
    type: 'section',
    fields: pairs.slice(0, 10).map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${value}` })),
  };
}

/** A grey context line. */
export function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/** A divider. */
export function divider(): Block {
  return { type: 'divider' };
}

/** A code block section: text a person copies as is. */
export function codeBlock(text: string): Block {
  return section(`\`\`\`${text}\`\`\``);
}

/** A row of buttons. */
export function actions(elements: readonly ButtonElement[], blockId?: string): Block {
  return blockId ? { type: 'actions', block_id: blockId, elements } : { type: 'actions', elements };
}

/** A button with an exported `action_id` constant and a value that comes back when clicked. */
export function button(
  actionId: string,
  label: string,
  value: string,
  options: { readonly style?: 'primary' | 'danger'; readonly confirm?: string } = {},
): ButtonElement {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: label },
    value,
    ...(options.style ? { style: options.style } : {}),
    ...(options.confirm
      ? {
          confirm: {
            title: { type: 'plain_text', text: 'Are you sure?' },
            text: { type: 'mrkdwn', text: options.confirm },
            confirm: { type: 'plain_text', text: label },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        }
      : {}),
  };
}
