/**
 * The baseline of `npm run bench:bot`: a bare Bolt app in HTTP mode whose only listener acks
 * `/help` with nothing. Same receiver, signing secret and authorization setup as the bot.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

async function main(): Promise<void> {
  const signingSecret = process.env.SLACK_SIGNING_SECRET ?? '';
  const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
  const app = new App({
    token: process.env.SLACK_BOT_TOKEN,
    botId: 'B0BENCH0001',
    botUserId: 'U0BENCH0001',
    tokenVerificationEnabled: false,
    receiver,
    logLevel: LogLevel.ERROR,
  });
  app.command('/help', async ({ ack }) => {
    await ack();
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  process.stdout.write(`${JSON.stringify({ msg: 'ready', port: (server.address() as AddressInfo).port })}\n`);
}

void main();
