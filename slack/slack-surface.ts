/** Posts and edits messages through Slack's Web API (chat.postMessage / chat.update). */
import { z } from 'zod';
import { redactDeep } from '../ops/redact';
import type { MessageSurface } from './progress-thread';
import type { Reply } from './reply';

/** The part of Slack's WebClient the surface needs. */
export interface ChatApi {
  apiCall(method: string, options: Record<string, unknown>): Promise<unknown>;
}

const postMessageResponse = z.object({ ok: z.literal(true), ts: z.string() });

/** A {@link MessageSurface} on the Web API. */
export function slackSurface(api: ChatApi): MessageSurface {
  return {
    async post(channelId, reply, threadTs) {
      const safe = redactDeep(reply);
      const response = await api.apiCall('chat.postMessage', {
        channel: channelId,
        text: safe.text,
        blocks: safe.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
      });
      return postMessageResponse.parse(response).ts;
    },
    async update(channelId, ts, reply: Reply) {
      const safe = redactDeep(reply);
      await api.apiCall('chat.update', { channel: channelId, ts, text: safe.text, blocks: safe.blocks });
    },
  };
}
