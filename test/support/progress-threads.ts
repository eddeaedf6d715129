/**
 * Reading progress threads (see `slack/progress-thread.ts`) from the Slack Web API recorder: the texts
 * edited into them, and waiting until every thread has finished (its parent message edited with the
 * outcome), so that a test never stops the bot while a thread still talks to Slack.
 */
import { messageText, type TestBot } from './slack-bot-harness';

/** Every text the bot edited into messages (progress and outcomes), in order. */
export function threadTexts(bot: TestBot): string[] {
  return bot.recorder.callsOf('chat.update').map((c) => messageText(c.args));
}

/** True when every thread parent the bot posted has been edited with its outcome. */
function allThreadsFinished(bot: TestBot): boolean {
  // The recorder answers chat.postMessage with ts 1700000000.000100, …01.000100, … in call order.
  const posts = bot.recorder.callsOf('chat.postMessage');
  const replies = new Set(posts.filter((p) => p.args.thread_ts !== undefined).map((p) => p.args.thread_ts));
  const parents = posts
    .map((p, i) => ({ p, ts: `${1_700_000_000 + i}.000100` }))
    .filter(({ ts }) => replies.has(ts))
    .map(({ ts }) => ts);
  const updated = new Set(bot.recorder.callsOf('chat.update').map((c) => c.args.ts));
  return parents.every((ts) => updated.has(ts));
}

/** Waits for a thread message matching `pattern` and for every thread to finish; returns the message. */
export async function finalMessage(bot: TestBot, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  await bot.recorder.waitFor(
    () => threadTexts(bot).some((t) => pattern.test(t)) && allThreadsFinished(bot),
    timeoutMs,
    `a thread message matching ${pattern}`,
  );
  return threadTexts(bot).find((t) => pattern.test(t))!;
}
