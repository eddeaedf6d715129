import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ciDeployRoleArn, ciPlanRoleArn, findEnvironment } from '../../config';
import { exampleConfig } from '../support/example-config';
import { condition } from './github-expressions';
import {
  actionlint,
  type Job,
  loadWorkflows,
  needsOf,
  parseWorkflow,
  ROOT,
  readYaml,
  runScripts,
  type Step,
  simulatePush,
  type Workflow,
  workflowCall,
} from './workflow-files';

const SETUP_ACTION = '.github/actions/setup/action.yml';
const PATH_FILTERS = '.github/path-filters.yml';
const CONFIGURE_AWS = 'aws-actions/configure-aws-credentials@';

const workflows = loadWorkflows();
/** `${{ expression }}`, as written in a workflow. */
const gh = (expression: string): string => `\${{ ${expression} }}`;
const byName = (file: string): Workflow => workflows.find((w) => w.path.endsWith(`/${file}`))!;
const setupAction = readYaml<{
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}>(SETUP_ACTION);

/** Every step of a job, and of the local composite actions it uses. */
function stepsOf(job: Job): Step[] {
  return (job.steps ?? []).flatMap((step) =>
    step.uses === './.github/actions/setup' ? [step, ...setupAction.runs.steps] : [step],
  );
}

/** True when a job, or the reusable workflow it calls, assumes an AWS role. */
function assumesRole(job: Job): boolean {
  if (job.uses?.startsWith('./')) {
    const called = parseWorkflow(job.uses, readFileSync(join(ROOT, job.uses), 'utf8'));
    return Object.values(called.jobs).some(assumesRole);
  }
  return stepsOf(job).some((s) => s.uses?.startsWith(CONFIGURE_AWS));
}

function format(
  errors: readonly { line: number; column: number; message: string; kind: string }[],
): string[] {
  return errors.map((e) => `${e.line}:${e.column} ${e.message} [${e.kind}]`);
}

describe('the GitHub Actions workflows', () => {
  it('are there: pull request, deploy, release and the two they call', () => {
    expect(workflows.map((w) => w.path)).toEqual([
      '.github/workflows/deploy-environment.yml',
      '.github/workflows/deploy.yml',
      '.github/workflows/pull-request.yml',
      '.github/workflows/release.yml',
      '.github/workflows/service-image.yml',
    ]);
  });

  describe('actionlint', () => {
    it.each(workflows.map((w) => [w.path, w] as const))('passes %s', async (_, workflow) => {
      expect(format(await actionlint(workflow.text, workflow.path))).toEqual([]);
    });

    it('passes the steps of the setup action, linted as a job', async () => {
      // actionlint reads workflows only: the composite action's steps are checked in a job of their own, in a
      // reusable workflow with the action's inputs, so that what the steps read of `inputs` is checked too.
      const inputs = Object.fromEntries(
        Object.entries(setupAction.inputs).map(([name, input]) => [
          name,
          { type: 'string', required: input.required ?? false, default: input.default ?? '' },
        ]),
      );
      const asWorkflow = stringify({
        on: { workflow_call: { inputs } },
        permissions: { contents: 'read' },
        jobs: { setup: { 'runs-on': 'ubuntu-24.04', steps: setupAction.runs.steps } },
      });
      expect(format(await actionlint(asWorkflow, SETUP_ACTION))).toEqual([]);
    });

    it('fails a broken workflow, naming each mistake', async () => {
      const broken = [
        'on: pushh',
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-24.04',
        '    needs: tset',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '        with:',
        '          fetch-dept: 0',
        `      - run: echo ${gh('github.shaa')}`,
      ].join('\n');
      const errors = await actionlint(broken, '.github/workflows/broken.yml');
      expect(errors.map((e) => [e.line, e.kind])).toEqual(
        expect.arrayContaining([
          [1, 'events'],
          [3, 'job-needs'],
          [9, 'action'],
          [10, 'expression'],
        ]),
      );
      expect(errors.find((e) => e.kind === 'action')?.message).toContain('input "fetch-dept" is not defined');
    });

    it('fails the deploy workflow once a job it needs is misspelt', async () => {
      const deploy = byName('deploy.yml');
      const broken = deploy.text.replace('needs: changes\n', 'needs: chnages\n');
      expect(broken).not.toBe(deploy.text);
      const errors = await actionlint(broken, deploy.path);
      expect(format(errors)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/needs job "chnages" which does not exist in this workflow \[job-needs\]$/),
        ]),
      );
    });
  });

  it.each(runScripts(workflows, [SETUP_ACTION]))('%s is valid bash', (_, script) => {
    // Expressions are substituted before the shell sees the script; a word stands in for each.
    const result = spawnSync('bash', ['-n'], { input: script.replace(/\$\{\{[\s\S]*?\}\}/g, 'EXPR') });
    expect(result.stderr.toString()).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs only npm scripts that package.json has', () => {
    const scripts = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
        .scripts,
    );
    const used = runScripts(workflows, [SETUP_ACTION]).flatMap(([, script]) =>
      // `npm test` and `npm start` are `npm run test` and `npm run start`.
      [...script.matchAll(/\bnpm (?:run(?:\s+--?[a-z-]+)*\s+([\w:-]+)|(test|start)\b)/g)].map(
        (m) => (m[1] ?? m[2])!,
      ),
    );
    expect(used).toEqual(expect.arrayContaining(['test', 'wheelhouse']));
    expect(used.filter((s) => !scripts.includes(s))).toEqual([]);
  });

  describe('permissions', () => {
    it.each(workflows.map((w) => [w.path, w] as const))('%s reads contents only, by default', (_, w) => {
      expect(w.permissions).toEqual({ contents: 'read' });
    });

    const jobs = workflows.flatMap((w) =>
      Object.entries(w.jobs).map(([id, job]) => [`${w.path} ${id}`, job] as const),
    );
    it.each(jobs)('%s asks for no more than it uses', (_, job) => {
      const granted = (job.permissions ?? {}) as Record<string, string>;
      const allowed: Record<string, string> = { contents: 'read' };
      if (assumesRole(job)) allowed['id-token'] = 'write';
      if (stepsOf(job).some((s) => s.uses?.startsWith('dorny/paths-filter@')))
        allowed['pull-requests'] = 'read';
      expect(typeof job.permissions === 'string').toBe(false);
      for (const [scope, level] of Object.entries(granted))
        expect({ scope, level }).toEqual({ scope, level: allowed[scope] });
      // A job that assumes a role must say so: the workflow's default has no id-token.
      if (assumesRole(job)) expect(granted['id-token']).toBe('write');
    });
  });

  it('holds no long-lived AWS keys: every AWS credential is a role assumed with OIDC', () => {
    for (const w of [...workflows.map((x) => x.text), readFileSync(join(ROOT, SETUP_ACTION), 'utf8')])
      expect(w).not.toMatch(
        /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|aws-access-key-id|aws-secret-access-key/i,
      );
    const configure = workflows.flatMap((w) =>
      Object.values(w.jobs).flatMap((job) =>
        stepsOf(job)
          .filter((s) => s.uses?.startsWith(CONFIGURE_AWS))
          .map((step) => [w.path, step] as const),
      ),
    );
    expect(configure).toHaveLength(3);
    for (const [path, step] of configure) {
      expect(Object.keys(step.with ?? {}).sort()).toEqual([
        'aws-region',
        'role-session-name',
        'role-to-assume',
      ]);
      // The environment's own deploy role, or in a pull request the plan role, computed from wheelhouse.yml:
      // no role ARN is kept in GitHub.
      expect(step.with?.['role-to-assume']).toBe(
        path === '.github/workflows/pull-request.yml'
          ? gh('steps.setup.outputs.plan-role-arn')
          : gh('steps.setup.outputs.deploy-role-arn'),
      );
    }
  });

  it('pins every action to a major version or a commit', () => {
    const uses = workflows.flatMap((w) =>
      Object.values(w.jobs).flatMap((job) => stepsOf(job).map((s) => s.uses)),
    );
    const remote = uses.filter((u): u is string => u !== undefined && !u.startsWith('./'));
    expect(remote.length).toBeGreaterThan(5);
    for (const u of remote) expect(u).toMatch(/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
  });

  describe('path filters', () => {
    const filters = readYaml<Record<string, string[]>>(PATH_FILTERS);
    const deployPaths = (byName('deploy.yml').on.push as { paths: string[] }).paths;

    it('deploy on changes to service/ and stacks/, and configuration', () => {
      expect(deployPaths).toEqual(
        expect.arrayContaining(['service/**', 'stacks/**', 'config/**', 'wheelhouse.yml']),
      );
      expect(filters.service).toContain('service/**');
      expect(filters.infra).toEqual(expect.arrayContaining(['stacks/**', 'config/**', 'wheelhouse.yml']));
    });

    it('trigger the deploy workflow for everything the filters tell apart', () => {
      expect(
        Object.values(filters)
          .flat()
          .filter((p) => !deployPaths.includes(p)),
      ).toEqual([]);
    });

    it('rebuild the image for everything service/Dockerfile copies from the build context', () => {
      const dockerfile = readFileSync(join(ROOT, 'service/Dockerfile'), 'utf8');
      const sources = [...dockerfile.matchAll(/^COPY\s+(?!--from)(?:--\S+\s+)*(.+)$/gm)].flatMap((m) =>
        m[1]!.trim().split(/\s+/).slice(0, -1),
      );
      expect([...new Set(sources)].sort()).toEqual([
        'package-lock.json',
        'package.json',
        'service',
        'tsconfig.json',
      ]);
      const image = byName('service-image.yml').jobs.image!;
      const inputs = String(image.env?.IMAGE_INPUTS).split(' ');
      for (const source of new Set(sources)) {
        expect(inputs).toContain(source);
        expect(filters.service!.some((p) => p === source || p === `${source}/**`)).toBe(true);
      }
    });
  });

  describe('routing a push', () => {
    it.each([
      [
        'a service change on a branch builds its image and deploys it to dev',
        'refs/heads/feature/notes',
        ['service/main.ts'],
        [['dev', 'abc123']],
      ],
      [
        'a stacks change on a branch deploys dev, keeping the running image',
        'refs/heads/feature/x',
        ['stacks/network.ts'],
        [['dev', '']],
      ],
      [
        'a change to both on a branch deploys the new image with the new stacks to dev',
        'refs/heads/fix',
        ['service/a.ts', 'stacks/b.ts'],
        [['dev', 'abc123']],
      ],
      [
        'a service change on main deploys its image to stage',
        'refs/heads/main',
        ['service/main.ts'],
        [['stage', 'abc123']],
      ],
      [
        'a configuration change on main deploys stage, keeping the running image',
        'refs/heads/main',
        ['wheelhouse.yml'],
        [['stage', '']],
      ],
      [
        'a lock file change rebuilds the image (its dependencies are in it)',
        'refs/heads/main',
        ['package-lock.json'],
        [['stage', 'abc123']],
      ],
      ['a README change deploys nothing', 'refs/heads/main', ['README.md'], []],
      ['a bot change deploys nothing here', 'refs/heads/feature/y', ['bot/main.ts', 'test/x.test.ts'], []],
      [
        'a v1.2.3 tag deploys v1.2.3 to prod, whatever the commit changed',
        'refs/tags/v1.2.3',
        ['README.md'],
        [['prod', 'v1.2.3']],
      ],
    ])('%s', (_, ref, files, expected) => {
      const { images, deploys } = simulatePush(workflows, { ref, files, sha: 'abc123' });
      expect(deploys.map((d) => [d.environment, d.version])).toEqual(expected);
      // An image is pushed (or tagged) exactly when a version is deployed, by a job of the same GitHub
      // environment: the deploy role trusts environment jobs, not every branch.
      expect(images.map((i) => i.environment)).toEqual(
        expected.filter(([, version]) => version !== '').map(([environment]) => environment),
      );
    });

    describe('the two image repositories', () => {
      const config = exampleConfig();
      const image = byName('service-image.yml').jobs.image!;
      const steps = image.steps ?? [];

      it.each([
        ['a feature branch', 'refs/heads/feature/notes'],
        ['a branch named like main', 'refs/heads/main-2'],
        ['a branch named like a release', 'refs/heads/v1.2.3'],
        ['main', 'refs/heads/main'],
        ['a release tag', 'refs/tags/v1.2.3'],
      ])('take the images of a push of %s into the repository its ref may reach', (_, ref) => {
        // GIVEN a service change pushed to the ref
        // WHEN
        const { images } = simulatePush(workflows, { ref, files: ['service/main.ts'], sha: 'abc123' });
        // THEN every image job runs in an environment whose tier matches the ref: only main and release tags
        // reach a release environment, whose repository stage and prod run; any other branch reaches only
        // an environment of branch images
        expect(images.length).toBeGreaterThan(0);
        const releaseRef = ref === 'refs/heads/main' || ref.startsWith('refs/tags/v');
        for (const run of images) {
          expect(findEnvironment(config, String(run.environment)).images.tier).toBe(
            releaseRef ? 'release' : 'branch',
          );
        }
      });

      it("build, look up and tag images only in the repository of the job's environment", () => {
        // The setup action gives the repository of the environment the job runs in (tested above) ...
        const setup = steps.find((s) => s.uses === './.github/actions/setup')!;
        expect(setup.with).toEqual({ environment: gh('inputs.environment') });
        expect(image.environment).toBe(gh('inputs.environment'));
        // ... which the lookup of `src-<hash>` and every later step use, and nothing else: an image of the same
        // sources in the other repository is never reused, whoever built it
        const find = steps.find((s) => s.id === 'find')!;
        expect(find.env).toEqual({
          IMAGE: `${gh(`steps.${setup.id}.outputs.registry`)}/${gh(`steps.${setup.id}.outputs.repository`)}`,
        });
        expect(find.run).toContain('docker buildx imagetools inspect "$IMAGE:$content"');
        const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action@'))!;
        const tags = String(build.with?.tags).trim().split('\n');
        expect(tags.length).toBeGreaterThan(0);
        for (const tag of tags) expect(tag.startsWith(`${gh('steps.find.outputs.image')}:`)).toBe(true);
        expect(steps.find((s) => s.id === 'tag')?.env?.IMAGE).toBe(gh('steps.find.outputs.image'));
        // No workflow names a repository itself, or takes the setup action's repository elsewhere.
        for (const w of workflows) {
          for (const name of [config.registry.repositoryName, config.registry.branchRepositoryName])
            expect(w.text).not.toContain(name);
          const uses = w.text.match(/steps\.setup\.outputs\.repository\b/g) ?? [];
          expect(uses).toHaveLength(w === byName('service-image.yml') ? 1 : 0);
        }
      });

      it('build stage’s image from main in the release repository, and never build a release', () => {
        // GIVEN a service change on main, then a release tag
        const main = simulatePush(workflows, {
          ref: 'refs/heads/main',
          files: ['service/a.ts'],
          sha: 'abc123',
        });
        const tag = simulatePush(workflows, { ref: 'refs/tags/v1.2.3', files: [], sha: 'abc123' });
        // THEN stage's job builds (no release tag), prod's only retags what stage built, in the same repository
        expect(main.images).toEqual([{ environment: 'stage', releaseTag: '' }]);
        expect(tag.images).toEqual([{ environment: 'prod', releaseTag: 'v1.2.3' }]);
        expect(findEnvironment(config, 'stage').images.repositoryName).toBe(
          findEnvironment(config, 'prod').images.repositoryName,
        );
        const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action@'))!;
        expect(build.if).toBe("inputs.release-tag == '' && steps.find.outputs.exists == 'false'");
      });
    });

    it('hands a release its tag to find and tag the image of the commit, not to build one', () => {
      const release = byName('release.yml');
      expect(release.jobs.image?.with).toEqual({ environment: 'prod', 'release-tag': gh('github.ref_name') });
      expect(release.jobs.prod?.with).toEqual({
        environment: 'prod',
        version: gh('needs.image.outputs.tag'),
      });
      const tagStep = byName('service-image.yml').jobs.image!.steps!.find((s) => s.id === 'tag')!;
      // The image job's output: the release tag, or else the commit (what the routing test above assumes).
      expect(tagStep.run).toContain(`tag="\${RELEASE_TAG:-$GITHUB_SHA}"`);
      const build = byName('service-image.yml').jobs.image!.steps!.find((s) =>
        s.uses?.startsWith('docker/build-push-action@'),
      )!;
      expect(build.if).toContain("inputs.release-tag == ''");
      expect(build.with).toMatchObject({
        context: '.',
        file: 'service/Dockerfile',
        platforms: 'linux/arm64',
        push: true,
      });
      expect(String(build.with?.tags)).toContain(gh('github.sha'));
    });

    it('runs one deploy per environment at a time, never cancelling one, in the GitHub environment of that name', () => {
      const deploy = byName('deploy-environment.yml').jobs.deploy!;
      expect(deploy.environment).toBe(gh('inputs.environment'));
      expect(deploy.concurrency).toEqual({
        group: `wheelhouse-deploy-${gh('inputs.environment')}`,
        'cancel-in-progress': false,
      });
      const run = deploy.steps!.find((s) => s.run?.includes('npm run wheelhouse'))!.run!;
      expect(run).toContain('args=(deploy --env "$ENVIRONMENT")');
      expect(run).toContain('args+=(--version "$VERSION")');
      // The deploy role is the CI stack's; the CLI acts on the environment through its operator role.
      expect(deploy.steps!.find((s) => s.run === run)?.env).toMatchObject({
        WHEELHOUSE_ASSUME_OPERATOR_ROLE: 'true',
      });
    });

    it('assumes a deploy role only in jobs that run in a GitHub environment, and only that environment’s', () => {
      const assuming = workflows
        .filter((w) => w.path !== '.github/workflows/pull-request.yml')
        .flatMap((w) => Object.values(w.jobs).filter((job) => !job.uses && assumesRole(job)));
      expect(assuming).toHaveLength(2);
      for (const job of assuming) {
        // The token's sub is then repo:<owner/name>:environment:<env>, the one sub that role trusts.
        expect(job.environment).toBe(gh('inputs.environment'));
        const steps = job.steps ?? [];
        const setup = steps.findIndex((s) => s.uses === './.github/actions/setup');
        const configure = steps.findIndex((s) => s.uses?.startsWith(CONFIGURE_AWS));
        expect(steps[setup]?.with).toEqual({ environment: job.environment });
        expect(steps[configure]?.with?.['role-to-assume']).toBe(
          gh(`steps.${steps[setup]?.id}.outputs.deploy-role-arn`),
        );
        expect(setup).toBeLessThan(configure);
      }
    });

    describe('a pull request', () => {
      const pr = byName('pull-request.yml');
      const planJob = pr.jobs.plan!;
      const planSteps = planJob.steps ?? [];
      const configure = planSteps.find((s) => s.uses?.startsWith(CONFIGURE_AWS));
      const planStep = planSteps.find((s) => s.run?.includes('--plan'));

      it('never deploys, and runs in no GitHub environment, so no token of it is a deploy role’s', () => {
        expect(Object.keys(pr.on)).toEqual(['pull_request']);
        for (const job of Object.values(pr.jobs)) {
          expect(job.uses).toBeUndefined();
          // In an environment, the token's sub would be environment:<env>, which that deploy role trusts.
          expect(job.environment).toBeUndefined();
          expect(stepsOf(job).filter((s) => s.uses === './.github/actions/setup' && s.with)).toEqual([]);
        }
        expect(pr.text).not.toContain('deploy-role-arn');
        expect(pr.text).not.toContain('WHEELHOUSE_ASSUME_OPERATOR_ROLE');
        expect(pr.jobs.test!.steps!.map((s) => s.run).filter(Boolean)).toEqual([
          'npm ci --no-audit --no-fund',
          'npm test',
        ]);
      });

      it('assumes one role, in its plan job only: the plan role, which no other workflow uses', () => {
        expect(
          Object.entries(pr.jobs)
            .filter(([, job]) => assumesRole(job))
            .map(([id]) => id),
        ).toEqual(['plan']);
        expect(planSteps.filter((s) => s.uses?.startsWith(CONFIGURE_AWS))).toEqual([configure]);
        expect(configure?.with?.['role-to-assume']).toBe(gh('steps.setup.outputs.plan-role-arn'));
        const setup = planSteps.findIndex((s) => s.uses === './.github/actions/setup');
        expect(planSteps[setup]?.id).toBe('setup');
        expect(setup).toBeLessThan(planSteps.indexOf(configure!));
        expect(planSteps.indexOf(configure!)).toBeLessThan(planSteps.indexOf(planStep!));
        for (const w of workflows.filter((x) => x !== pr)) expect(w.text).not.toContain('plan-role-arn');
      });

      it.each([
        ['a branch of the repository', 'example-org/wheelhouse', 'octocat', 'arn:role', true],
        ['a fork, which GitHub gives no token', 'someone/wheelhouse', 'someone', 'arn:role', false],
        [
          'Dependabot, which GitHub runs as if from a fork',
          'example-org/wheelhouse',
          'dependabot[bot]',
          'arn:role',
          false,
        ],
        ['a configuration without a CI stack', 'example-org/wheelhouse', 'octocat', '', false],
      ])('from %s assumes the plan role: %p', (_, head, user, planRoleArn, assumes) => {
        const github = {
          repository: 'example-org/wheelhouse',
          event: { pull_request: { head: { repo: { full_name: head } }, user: { login: user } } },
        };
        const steps = { setup: { outputs: { 'plan-role-arn': planRoleArn } } };
        expect(condition(configure?.if, { contexts: { github, steps } })).toBe(assumes);
      });

      it('plans every environment, each through its plan role, into the job summary, and fails when one plan does', () => {
        expect(planStep?.env).toEqual({
          ENVIRONMENTS: gh('steps.setup.outputs.environments'),
          WHEELHOUSE_ASSUME_PLAN_ROLE: 'true',
          AWS_EC2_METADATA_DISABLED: 'true',
        });
        const run = planStep!.run!;
        expect(run).toContain(`for env in $(jq -r '.[]' <<< "$ENVIRONMENTS"); do`);
        expect(run).toContain(
          'npm run --silent wheelhouse -- deploy --env "$env" --plan > "$out" || status=$?',
        );
        expect(run).toContain('>> "$GITHUB_STEP_SUMMARY"');
        expect(run).toMatch(/^if \[ "\$\{#failed\[@\]\}" -gt 0 \]; then exit 1; fi$/m);
        expect(planJob.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      });
    });
  });

  describe('local workflows and actions', () => {
    const calls = workflows.flatMap((w) =>
      Object.entries(w.jobs)
        .filter(([, job]) => job.uses?.startsWith('./'))
        .map(([id, job]) => [`${w.path} ${id} → ${job.uses}`, w, id, job] as const),
    );

    it.each(calls)(
      '%s passes only inputs and secrets the called workflow declares, and every required one',
      (_, w, id, job) => {
        const called = workflowCall(job.uses!);
        const inputs = called.inputs ?? {};
        expect(Object.keys(job.with ?? {}).filter((k) => !(k in inputs))).toEqual([]);
        const missing = Object.entries(inputs).filter(([k, i]) => i.required && !(k in (job.with ?? {})));
        expect(missing).toEqual([]);
        expect(job.secrets).not.toBe('inherit');
        expect(Object.keys(job.secrets ?? {}).filter((k) => !(k in (called.secrets ?? {})))).toEqual([]);
        // The jobs after it read only outputs that the called workflow declares.
        const read = Object.values(w.jobs)
          .filter((other) => needsOf(other).includes(id))
          .flatMap((other) =>
            [...JSON.stringify(other).matchAll(new RegExp(`needs\\.${id}\\.outputs\\.([\\w-]+)`, 'g'))].map(
              (m) => m[1]!,
            ),
          );
        expect(read.filter((output) => !(output in (called.outputs ?? {})))).toEqual([]);
      },
    );

    it('reads only outputs that the setup action declares', () => {
      const read = workflows.flatMap((w) =>
        Object.values(w.jobs).flatMap((job) => {
          const id = job.steps?.find((s) => s.uses === './.github/actions/setup')?.id;
          if (!id) return [];
          return [
            ...JSON.stringify(job).matchAll(new RegExp(`steps\\.${id}\\.outputs\\.([\\w-]+)`, 'g')),
          ].map((m) => m[1]!);
        }),
      );
      expect(read.length).toBeGreaterThan(0);
      expect(read.filter((o) => !(o in setupAction.outputs))).toEqual([]);
      expect(setupAction.runs.using).toBe('composite');
    });

    /** Runs the setup action's configuration step as the runner runs it, with its `environment` input. */
    function readConfigStep(environment: string): Record<string, string> {
      const step = setupAction.runs.steps.find((s) => s.id === 'config')!;
      expect(step.env).toEqual({ ENVIRONMENT: gh('inputs.environment') });
      const output = join(mkdtempSync(join(tmpdir(), 'wheelhouse-ci-')), 'output');
      execFileSync('bash', ['-eo', 'pipefail', '-c', step.run!], {
        cwd: ROOT,
        env: { ...process.env, GITHUB_OUTPUT: output, ENVIRONMENT: environment },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      return Object.fromEntries(
        readFileSync(output, 'utf8')
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    }

    it('reads the environments and the registry from wheelhouse.yml with the project loader', () => {
      // GIVEN no environment (a job that assumes no role)
      // WHEN the setup action's step that reads the configuration runs
      const values = readConfigStep('');
      // THEN it writes the values of the example configuration, and no role and no repository to build into
      const config = exampleConfig();
      expect(values).toEqual({
        environments: JSON.stringify(config.environments.map((e) => e.name)),
        registry: '111111111111.dkr.ecr.eu-west-1.amazonaws.com',
        'registry-region': 'eu-west-1',
        'plan-role-arn': ciPlanRoleArn(config.project, config.delivery!),
      });
      expect(values['plan-role-arn']).toBe('arn:aws:iam::111111111111:role/wheelhouse-ci-plan');
    }, 60_000);

    it.each([
      ['dev', 'wheelhouse/service-branches'],
      ['stage', 'wheelhouse/service'],
      ['prod', 'wheelhouse/service'],
    ])(
      "gives a job of environment %s that environment's deploy role, the one the CI stack names, and its image tier's repository, %s",
      (environment, repository) => {
        const config = exampleConfig();
        const values = readConfigStep(environment);
        expect(values['deploy-role-arn']).toBe(
          ciDeployRoleArn(config.project, config.delivery!, environment),
        );
        expect(ciDeployRoleArn(config.project, config.delivery!, environment)).toBe(
          `arn:aws:iam::111111111111:role/wheelhouse-ci-deploy-${environment}`,
        );
        // The one repository that role may push to (test/stacks/ci-stack.test.ts).
        expect(values.repository).toBe(findEnvironment(config, environment).images.repositoryName);
        expect(values.repository).toBe(repository);
      },
      60_000,
    );

    it('fails for an environment that wheelhouse.yml does not have, naming the known ones', () => {
      expect(() => readConfigStep('qa')).toThrow(
        /environments\.qa: no such environment; known: dev, stage, prod/,
      );
    }, 60_000);
  });
});
