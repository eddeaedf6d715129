import { Writable } from 'node:stream';
import { blocksToText } from '../../bot/adapters/blocks-to-text';
import { COMMANDS } from '../../bot/commands/registry';
import { createDispatcher, type Dispatcher } from '../../bot/dispatcher';
import { staticGroupDirectory } from '../../bot/group-directory';
import { AwsClients } from '../../ops/aws-clients';
import { createLogger } from '../../ops/logger';
import { PagerDutyConnection } from '../../ops/pagerduty-connection';
import { createAuditor } from '../../slack/audit';
import { noCredentials, UNREACHABLE_AWS_ENDPOINT } from '../support/aws-fakes';
import { CHANNELS, PEOPLE, testConfig } from './fixtures/test-config';

type Role = keyof typeof PEOPLE;
const ROLES = Object.keys(PEOPLE) as Role[];
const ENVIRONMENTS = ['dev', 'stage', 'prod'] as const;

/**
 * Who may run what, written out from test/bot/fixtures/wheelhouse.yml (not computed from it, so
 * that a resolver bug cannot agree with itself). `help` is open to all; admins (platform) may run
 * everything; prod narrows tunnel and bastion-key to platform and oncall.
 */
const ALLOWED: Readonly<Record<string, Readonly<Record<(typeof ENVIRONMENTS)[number], readonly Role[]>>>> = {
  help: { dev: ROLES, stage: ROLES, prod: ROLES },
  status: { dev: ROLES, stage: ROLES, prod: ROLES },
  tunnel: { dev: ['platform', 'developer'], stage: ['platform', 'developer'], prod: ['platform', 'oncall'] },
  'bastion-key': {
    dev: ['platform', 'developer'],
    stage: ['platform', 'developer'],
    prod: ['platform', 'oncall'],
  },
  deploy: { dev: ['platform', 'developer'], stage: ['platform', 'developer'], prod: ['platform'] },
  rollback: {
    dev: ['platform', 'developer'],
    stage: ['platform', 'developer'],
    prod: ['platform', 'oncall'],
  },
  scale: { dev: ['platform', 'developer'], stage: ['platform', 'developer'], prod: ['platform', 'oncall'] },
  lock: { dev: ['platform', 'developer'], stage: ['platform', 'developer'], prod: ['platform', 'developer'] },
  unlock: {
    dev: ['platform', 'developer'],
    stage: ['platform', 'developer'],
    prod: ['platform', 'developer'],
  },
  oncall: { dev: ROLES, stage: ROLES, prod: ROLES },
  // Left out of the fixture's permissions: the approvers, who are the admins here.
  signoff: { dev: ['platform'], stage: ['platform'], prod: ['platform'] },
  page: {
    dev: ['platform', 'developer', 'oncall'],
    stage: ['platform', 'developer', 'oncall'],
    prod: ['platform', 'developer', 'oncall'],
  },
};

const TEXT: Readonly<Record<string, (env: string) => string>> = {
  help: () => '',
  status: (env) => env,
  tunnel: (env) => env,
  'bastion-key': (env) => `${env} list`,
  deploy: (env) => `history ${env}`,
  rollback: (env) => env,
  scale: (env) => `${env} 3`,
  lock: (env) => `${env} testing`,
  unlock: (env) => env,
  oncall: (env) => env,
  signoff: (env) => `${env} v1.5.0`,
  page: (env) => `${env} the service is down`,
};

/**
 * What an allowed command answers here (no AWS credentials, no PagerDuty token; PagerDuty enabled
 * for prod only): the first thing it cannot do. @default /AWS credentials are missing/
 */
const ALLOWED_ANSWER: Readonly<Record<string, RegExp>> = {
  help: /Wheelhouse/,
  scale: /Plan only: no AWS credentials/,
  oncall: /PagerDuty is not (enabled for (dev|stage)|connected)/,
  page: /PagerDuty is not enabled for (dev|stage)|Plan only: no AWS credentials/,
  signoff: /(dev|stage) is not protected|AWS credentials are missing/,
};

const audits: { outcome: string; command: string }[] = [];
const logger = createLogger({
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const parsed = JSON.parse(line) as { audit?: { outcome: string; command: string } };
        if (parsed.audit) audits.push(parsed.audit);
      }
      done();
    },
  }),
});
const config = testConfig();
const dispatcher: Dispatcher = createDispatcher({
  config,
  commands: COMMANDS,
  aws: new AwsClients({ credentials: noCredentials, endpoint: UNREACHABLE_AWS_ENDPOINT }),
  pagerDuty: new PagerDutyConnection({}),
  groups: staticGroupDirectory(Object.fromEntries(Object.values(PEOPLE).map((p) => [p.userId, p.groups]))),
  logger,
  auditor: createAuditor({ logger, channelId: null, surface: null }),
  surface: null,
});

const cases = COMMANDS.flatMap((command) =>
  ENVIRONMENTS.flatMap((env) =>
    ROLES.map((role) => {
      const allowed = ALLOWED[command.name]?.[env].includes(role);
      if (allowed === undefined) throw new Error(`the matrix has no row for /${command.name}: add one`);
      return [command.name, env, role, allowed] as const;
    }),
  ),
);

describe('the permission matrix', () => {
  it('has a row for every registered command', () => {
    expect(Object.keys(ALLOWED).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  it.each(cases)('/%s in %s by %s: allowed=%s', async (command, env, role, allowed) => {
    // GIVEN
    const before = audits.length;

    // WHEN
    const reply = await dispatcher.runCommand({
      command,
      text: TEXT[command]!(env),
      caller: { userId: PEOPLE[role].userId, userName: role, channelId: CHANNELS.free },
    });

    // THEN
    const shown = blocksToText(reply.blocks).text;
    if (allowed) {
      expect(shown).not.toContain('You may not run');
      expect(shown).toMatch(ALLOWED_ANSWER[command] ?? /AWS credentials are missing/);
      expect(audits[before]?.outcome).not.toBe('refused');
    } else {
      expect(reply.visibility).toBe('ephemeral');
      expect(shown).toContain(`You may not run /${command} in ${env}.`);
      expect(shown).toMatch(
        /It is for (developers or platform|platform or oncall|developers, platform or oncall|platform): ask one of them\./,
      );
      expect(audits[before]).toMatchObject({ outcome: 'refused', command: `/${command}` });
    }
  });

  it.each([
    [
      'status',
      'prod',
      CHANNELS.dev,
      'This channel is for dev: /status for prod is not run here.',
      `Run it in #${CHANNELS.prod}.`,
    ],
    [
      'tunnel',
      'dev',
      CHANNELS.prod,
      'This channel is for prod: /tunnel for dev is not run here.',
      `Run it in #${CHANNELS.dev}.`,
    ],
    [
      'bastion-key',
      'stage list',
      CHANNELS.dev,
      'This channel is for dev: /bastion-key for stage is not run here.',
      `Run it in #${CHANNELS.stage}.`,
    ],
    [
      'page',
      'prod the service is down',
      CHANNELS.dev,
      'This channel is for dev: /page for prod is not run here.',
      `Run it in #${CHANNELS.prod}.`,
    ],
    [
      'oncall',
      'stage',
      CHANNELS.prod,
      'This channel is for prod: /oncall for stage is not run here.',
      `Run it in #${CHANNELS.stage}.`,
    ],
  ])(
    'refuses /%s %s in a channel bound to another environment, even to an admin',
    async (command, text, channel, message, hint) => {
      // WHEN
      const reply = await dispatcher.runCommand({
        command,
        text,
        caller: { userId: PEOPLE.platform.userId, userName: 'platform', channelId: channel },
      });

      // THEN
      const shown = blocksToText(reply.blocks).text;
      expect(shown).toContain(message);
      expect(shown).toContain(hint);
    },
  );
});
