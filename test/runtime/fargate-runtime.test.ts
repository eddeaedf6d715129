/**
 * The bot and the service started the way Fargate starts their task definitions: the container's user
 * (uid 1000, no supplementary groups), the image's ENV and then the task definition's environment (its
 * secrets replaced by local test values, its endpoints pointed at local fakes), the image's CMD in its
 * WORKDIR, a read-only root filesystem, and on /tmp an empty bind volume with the owner and mode ECS
 * gives it for this image.
 *
 * That owner and mode come from the ECS developer guide, "Use bind mounts with Amazon ECS"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html, "Considerations", and
 * "Bind mount examples", bind-mount-examples.html): an empty bind volume is owned by root with mode
 * 0755, unless the image declares the container path a `VOLUME`, whose directory ECS copies to the
 * volume with the ownership and permissions the Dockerfile gave it. This test cannot pull or build the
 * image (no Docker here), so it reads them from the Dockerfile: the final stage's `VOLUME /tmp`, and the
 * `chmod`/`chown` of /tmp before it, which must be explicit (`volumeOwnership` refuses to guess the base
 * image's). Without a `VOLUME /tmp` it is root 0755: what today's task definitions got on Fargate.
 *
 * The user, the environment, the secrets, the mount points and the root filesystem's read-only flag are
 * read from the synthesized task definitions, so the test and the stacks cannot drift apart; the
 * WORKDIR is a stand-in laid out by following the Dockerfile's COPY and RUN steps.
 *
 * Needs root (mounts in a private namespace, `setpriv`). Network is not isolated: the processes reach
 * the fakes and the PostgreSQL started here on 127.0.0.1.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../config';
import { buildApp } from '../../stacks/app';
import { healthCheck, notesClient, unary } from '../service/grpc-client';
import { AwsAccountFake } from '../support/aws-account-fake';
import { TEST_CREDENTIALS, UNREACHABLE_AWS_ENDPOINT } from '../support/aws-fakes';
import { type DockerImage, readDockerfile, volumeOwnership } from '../support/dockerfile';
import { type EmbeddedPostgres, freePort, startEmbeddedPostgres } from '../support/embedded-postgres';
import {
  ECS_EMPTY_BIND_MOUNT,
  type FargateSandboxOptions,
  requireFargateSandbox,
  runInFargateSandbox,
  type SandboxProcess,
  startInFargateSandbox,
} from '../support/fargate-sandbox';
import { buildImageStandIn } from '../support/image-stand-in';
import { startSlackApiRecorder } from '../support/slack-api-recorder';
import { messageText } from '../support/slack-bot-harness';
import { startSocketModeServer } from '../support/slack-socket-mode-server';
import { synthTemplates } from '../support/synth';
import { taskContainer } from '../support/task-container';

const ROOT = join(__dirname, '..', '..');
/** The repository's own configuration: the one the bot's image carries (`wheelhouse.yml`). */
const { config } = loadConfig({ path: join(ROOT, 'wheelhouse.yml') });
const dev = config.environments.find((e) => e.name === 'dev')!;

/** Prints the owner and mode of os.tmpdir() as the process sees them, makes a folder there as tsx and the deployer do, and tries to write its WORKDIR. */
const PROBE_TMP = [
  'node',
  '-e',
  [
    "const fs = require('node:fs'), os = require('node:os'), path = require('node:path');",
    'const s = fs.statSync(os.tmpdir());',
    'console.log(JSON.stringify({ uid: s.uid, gid: s.gid, mode: s.mode & 0o7777 }));',
    "console.log('wrote ' + fs.mkdtempSync(path.join(os.tmpdir(), 'probe-')));",
    "try { fs.writeFileSync('probe', ''); console.log('wrote the WORKDIR'); } catch (e) { console.log('WORKDIR: ' + e.code); }",
  ].join('\n'),
];

/** Runs {@link PROBE_TMP} in `options`'s sandbox and checks it sees the volume ECS gives `image` and can write it. */
async function expectWritableTmp(options: FargateSandboxOptions): Promise<void> {
  // WHEN
  const run = await runInFargateSandbox({ ...options, command: PROBE_TMP });

  // THEN
  expect(run).toMatchObject({ code: 0, stderr: '' });
  const [seen, wrote, workdir] = run.stdout.split('\n');
  expect(JSON.parse(seen!)).toEqual(volumeOwnership(options.image, '/tmp') ?? ECS_EMPTY_BIND_MOUNT);
  expect(wrote).toMatch(/^wrote \/tmp\/probe-/);
  // and nothing else: the root filesystem, the image's files with it, is read-only
  expect(workdir).toBe('WORKDIR: EROFS');
}

/** The stand-ins of the images' WORKDIRs live here: not under /tmp, where the sandbox mounts the volume. */
let images: string;

beforeAll(() => {
  requireFargateSandbox();
  images = mkdtempSync('/var/tmp/wheelhouse-images-');
  // uid 1000 reads the image's files, as in the image (root-owned, world-readable).
  chmodSync(images, 0o755);
});
afterAll(() => {
  if (images) rmSync(images, { recursive: true, force: true });
});

describe("the owner and mode of /tmp, from the image's Dockerfile", () => {
  const dockerfile = (lines: string[]): DockerImage => readDockerfileText(lines.join('\n'));

  it.each([
    [
      'root 0755 when the runtime stage declares no VOLUME /tmp',
      ['FROM node:20', 'USER node'],
      { uid: 0, gid: 0, mode: 0o755 },
    ],
    [
      'the mode set before VOLUME /tmp, owned by root',
      ['FROM node:20', 'RUN chmod 1777 /tmp', 'VOLUME ["/tmp"]', 'USER node'],
      { uid: 0, gid: 0, mode: 0o1777 },
    ],
    [
      'the owner and mode set before VOLUME /tmp',
      ['FROM node:20', 'RUN chown node:node /tmp && chmod 0700 /tmp', 'VOLUME /tmp', 'USER node'],
      { uid: 1000, gid: 1000, mode: 0o700 },
    ],
    [
      'only the runtime stage counts',
      ['FROM node:20 AS build', 'RUN chmod 1777 /tmp', 'VOLUME /tmp', 'FROM node:20', 'USER node'],
      { uid: 0, gid: 0, mode: 0o755 },
    ],
  ])('%s', (_name, lines, expected) => {
    // WHEN
    const image = dockerfile(lines);

    // THEN
    expect(volumeOwnership(image, '/tmp') ?? { uid: 0, gid: 0, mode: 0o755 }).toEqual(expected);
  });

  it('fails when VOLUME /tmp is declared without an explicit mode', () => {
    expect(() => volumeOwnership(dockerfile(['FROM node:20', 'VOLUME /tmp']), '/tmp')).toThrow(
      'VOLUME /tmp without "RUN chmod <octal mode> /tmp" before it',
    );
  });

  it('fails when the mode is changed after VOLUME /tmp (the legacy builder discards it)', () => {
    expect(() =>
      volumeOwnership(dockerfile(['FROM node:20', 'VOLUME /tmp', 'RUN chmod 1777 /tmp']), '/tmp'),
    ).toThrow('VOLUME /tmp without "RUN chmod <octal mode> /tmp" before it');
  });
});

describe('the bot, as its Fargate task runs it', () => {
  const image = readDockerfile(join(ROOT, 'bot', 'Dockerfile'));
  process.env.CDK_VALIDATION = 'false';
  const { delivery } = buildApp(config, { nag: false });
  const container = taskContainer(Template.fromStack(delivery!.bot), 'bot');
  /** Local values of the task definition's secrets. */
  const secrets = {
    SLACK_BOT_TOKEN: 'xoxb-1111-2222-testtokenvalue',
    SLACK_APP_TOKEN: 'xapp-1-A0TEST0001-1234-abcdef',
    DD_API_KEY: 'test-datadog-api-key',
    DD_APP_KEY: 'test-datadog-app-key',
    PAGERDUTY_TOKEN: 'test-pagerduty-token',
    // The unified service tag `version` is the bot's image tag, a stack parameter (a token).
    DD_VERSION: 'v1.5.0',
  };
  /** What ECS adds to every container (the task role's credentials stand in as keys), and the fakes. */
  const ecsAdds = (awsEndpoint: string) => ({
    AWS_REGION: delivery!.bot.region,
    AWS_DEFAULT_REGION: delivery!.bot.region,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL: awsEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  let workdir: string;

  beforeAll(() => {
    workdir = buildImageStandIn(image, ROOT, join(images, 'bot')).workdir;
  });

  it('runs as the task definition says: uid 1000, read-only root, /tmp an empty bind volume', () => {
    expect(container).toMatchObject({
      user: '1000',
      readonlyRootFilesystem: true,
      mounts: [{ containerPath: '/tmp', readOnly: false, emptyBindMount: true }],
      command: null,
      entryPoint: null,
    });
    expect(image.cmd).toEqual(['node', '--import', 'tsx', 'bot/main.ts']);
    // The sandbox runs the image's `node` with this one: the same major version.
    expect(image.from).toMatch(new RegExp(`^node:${process.versions.node.split('.')[0]}-`));
  });

  it('gets to ready in Socket Mode, with a writable /tmp of its own, and answers /help over the socket', async () => {
    // GIVEN Slack's Web API and Socket Mode on local ports
    const recorder = await startSlackApiRecorder();
    const socket = await startSocketModeServer(recorder);
    let bot: SandboxProcess | undefined;
    try {
      // WHEN the bot starts as its task does
      bot = startInFargateSandbox({
        container,
        image,
        appDir: workdir,
        values: secrets,
        extra: { ...ecsAdds(UNREACHABLE_AWS_ENDPOINT), SLACK_API_URL: recorder.apiUrl },
      });
      await bot.line((line) => line.includes('"msg":"ready"'));
      await socket.connected();
      const ack = await socket.slashCommand({
        command: '/help',
        text: '',
        user_id: 'U0TESTUSER1',
        user_name: 'someone',
        channel_id: 'C0TESTCHAN1',
        team_id: 'T0TEST0001',
        response_url: recorder.responseUrl('socket'),
        trigger_id: '1.2.3',
        api_app_id: 'A0TEST0001',
      });

      // THEN
      expect(bot.env).toMatchObject({
        HOME: '/tmp',
        NODE_ENV: 'production',
        WHEELHOUSE_ASSUME_OPERATOR_ROLE: 'true',
      });
      expect(messageText(ack.payload)).toContain('/status <env>');
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      expect(bot.stderr.join('\n')).not.toContain('EACCES');
    } finally {
      if (bot?.child.exitCode === null) bot.child.kill('SIGKILL');
      await socket.close();
      await recorder.close();
    }
  }, 120_000);

  it("synthesizes a deploy plan into a mkdtemp under os.tmpdir(), as /deploy's toolkit-lib deployer does", async () => {
    // GIVEN an AWS account, bootstrapped, where dev's stack is not deployed yet
    const account = await AwsAccountFake.start({
      account: dev.account,
      region: dev.region,
      principals: [
        {
          accessKeyId: TEST_CREDENTIALS.accessKeyId,
          arn: 'arn:aws:iam::111111111111:role/wheelhouse-bot-task',
        },
      ],
    });
    try {
      // WHEN the deployer diffs dev, in the bot's container, with the image's files
      const plan = [
        "const { toolkitStackDeployer } = require('./ops/deploy/toolkit-stack-deployer');",
        "const { loadConfig } = require('./config');",
        'const { config } = loadConfig();',
        "const environment = config.environments.find((e) => e.name === 'dev');",
        'const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY };',
        "toolkitStackDeployer(credentials).diff({ config, environment, version: 'v1.5.0' }).then(",
        '  (r) => console.log(JSON.stringify({ stackExists: r.stackExists, resourceChanges: r.resourceChanges })),',
        '  (e) => { console.error(e.stack); process.exit(1); },',
        ');',
      ].join('\n');
      const run = await runInFargateSandbox({
        container,
        image,
        appDir: workdir,
        values: secrets,
        // The CloudFormation validation of a synth (~10 s of CPU) is checked once, in test/stacks/app.test.ts.
        extra: { ...ecsAdds(account.endpoint), CDK_VALIDATION: 'false' },
        command: ['node', '--import', 'tsx', '-e', plan],
      });

      // THEN the synth wrote its cloud assembly and the plan came back: every resource is new
      // (stderr has the AWS SDK's notice about Node 22, nothing else)
      expect(run.code).toBe(0);
      expect(run.stderr).not.toMatch(/EACCES|EROFS|Error:/);
      const result = JSON.parse(run.stdout.split('\n').pop()!) as {
        stackExists: boolean;
        resourceChanges: number;
      };
      expect(result.stackExists).toBe(false);
      expect(result.resourceChanges).toBeGreaterThan(0);
    } finally {
      await account.close();
    }
  }, 180_000);

  it('can write its /tmp volume, the one writable place the task definition gives it', async () => {
    await expectWritableTmp({
      container,
      image,
      appDir: workdir,
      values: secrets,
      extra: ecsAdds(UNREACHABLE_AWS_ENDPOINT),
    });
  }, 60_000);

  it('dies at start when /tmp is what ECS gives an image without VOLUME /tmp (root, 0755)', async () => {
    // GIVEN the bot's Dockerfile without its VOLUME /tmp
    const text = readFileSync(image.file, 'utf8');
    const withoutVolume = readDockerfileText(text.replace(/^VOLUME .*\/tmp.*$/m, ''), image.file);
    expect(volumeOwnership(withoutVolume, '/tmp')).toBeNull();

    // WHEN
    const run = await runInFargateSandbox({
      container,
      image: withoutVolume,
      appDir: workdir,
      values: secrets,
      extra: ecsAdds(UNREACHABLE_AWS_ENDPOINT),
      command: image.cmd!,
    });

    // THEN tsx cannot make its cache directory
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("EACCES: permission denied, mkdir '/tmp/tsx-1000'");
  }, 60_000);
});

describe('the service, as its Fargate task runs it', () => {
  const image = readDockerfile(join(ROOT, 'service', 'Dockerfile'));
  const container = taskContainer(synthTemplates(config, ['dev']).dev!, 'service');
  let pg: EmbeddedPostgres;
  let sandbox: (extra: Record<string, string>) => FargateSandboxOptions;

  beforeAll(async () => {
    pg = await startEmbeddedPostgres({ database: 'wheelhouse' });
    const standIn = buildImageStandIn(image, ROOT, join(images, 'service'));
    // The RDS CA bundle (ADD from the internet) is for TLS to Aurora; the local PostgreSQL has no TLS.
    expect(standIn.skipped).toEqual([expect.stringMatching(/^ADD .*rds-global-bundle\.pem$/)]);
    const endpoint = `postgres://127.0.0.1:${pg.port}/wheelhouse`;
    sandbox = (extra) => ({
      container,
      image,
      appDir: standIn.workdir,
      // The endpoints and credentials of the Aurora cluster (tokens and secrets in the task definition).
      values: {
        DATABASE_WRITER_URL: endpoint,
        DATABASE_READER_URL: endpoint,
        DD_VERSION: 'v1.5.0',
        PGUSER: pg.user,
        PGPASSWORD: pg.password,
      },
      overrides: { DATABASE_SSL: 'off' },
      extra,
    });
  }, 180_000);
  afterAll(() => pg?.stop());

  it('runs as the task definition says: uid 1000, read-only root, /tmp an empty bind volume', () => {
    expect(container).toMatchObject({
      user: '1000',
      readonlyRootFilesystem: true,
      mounts: [{ containerPath: '/tmp', readOnly: false, emptyBindMount: true }],
      command: null,
      entryPoint: null,
    });
    expect(image.cmd).toEqual(['node', 'dist/service/main.js']);
    expect(image.from).toMatch(new RegExp(`^node:${process.versions.node.split('.')[0]}-`));
  });

  it('migrates, gets to ready on a real PostgreSQL and answers /readyz, HTTP and gRPC', async () => {
    // GIVEN ports of this machine (the network is shared: the task definition's 8080 and 9000 may be taken)
    const [http, grpc] = [await freePort(), await freePort()];
    const service = startInFargateSandbox({
      ...sandbox({ PORT: String(http), GRPC_PORT: String(grpc) }),
    });
    try {
      // WHEN
      await service.line((line) => line.includes('"msg":"service: listening"'));
      const ready = await fetch(`http://127.0.0.1:${http}/readyz`);
      const health = await healthCheck(`127.0.0.1:${grpc}`, '');
      const created = await fetch(`http://127.0.0.1:${http}/v1/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'from Fargate', body: 'uid 1000, read-only root' }),
      });
      const { id } = (await created.json()) as { id: string };
      const client = notesClient(`127.0.0.1:${grpc}`);
      const read = await unary(client, 'GetNote', { id });
      client.close();

      // THEN
      expect(ready.status).toBe(200);
      expect(health).toBe('SERVING');
      expect(created.status).toBe(201);
      expect(read).toMatchObject({ ok: true, value: { id, title: 'from Fargate' } });
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
    }
  }, 120_000);

  it('can write its /tmp volume, the one writable place the task definition gives it', async () => {
    await expectWritableTmp(sandbox({}));
  }, 60_000);
});

/** A Dockerfile given as text (for the parser's cases). */
function readDockerfileText(text: string, file = 'Dockerfile'): DockerImage {
  return readDockerfile(file, text);
}
