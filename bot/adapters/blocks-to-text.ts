/** Renders Block Kit as plain terminal text for the local shell; buttons become numbered choices. */
import type { Block, ButtonElement } from '../../slack/blocks';

/** Text and the buttons it showed, in order. */
export interface RenderedText {
  readonly text: string;
  readonly buttons: readonly ButtonElement[];
}

/** Renders blocks; `firstButton` numbers buttons on from a previous render. */
export function blocksToText(blocks: readonly Block[], firstButton = 1): RenderedText {
  const lines: string[] = [];
  const buttons: ButtonElement[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'header':
        lines.push(`== ${block.text.text} ==`);
        break;
      case 'section':
        if (block.text) lines.push(mrkdwn(block.text.text));
        for (const field of block.fields ?? []) lines.push(mrkdwn(field.text).replace('\n', ': '));
        break;
      case 'context':
        lines.push(...block.elements.map((e) => `  (${mrkdwn(e.text)})`));
        break;
      case 'divider':
        lines.push('----');
        break;
      case 'actions':
        for (const element of block.elements) {
          buttons.push(element);
          lines.push(
            `  [${firstButton + buttons.length - 1}] ${element.text.text}  (type: click ${firstButton + buttons.length - 1})`,
          );
        }
        break;
    }
  }
  return { text: lines.join('\n'), buttons };
}

/** Slack mrkdwn to terminal text: code blocks indented, mentions and entities unescaped. */
export function mrkdwn(text: string): string {
  return text
    .replace(
      /```([\s\S]*?)```/g,
      (_m, code: string) =>
        `\n${code
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}\n`,
    )
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/<#([A-Z0-9]+)(\|[^>]*)?>/g, '#$1')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/:[a-z_]+:\s?/g, '')
    .replace(/(^|\s)\*([^*\n]+)\*/g, '$1$2')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .replace(/^\n+|\s+$/g, '');
}
