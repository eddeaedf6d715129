import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  CI_STACK_OUTPUTS,
  type Config,
  ciDeployRoleArn,
  ciDeployRoleName,
  ciDeployRoleOutput,
  ciPlanRoleArn,
  ciPlanRoleName,
} from '../../config';
import { buildApp } from '../../stacks/app';
import { CiStack } from '../../stacks/ci/ci-stack';
import { GitHubOidc } from '../../stacks/ci/github-oidc';
import { exampleConfig } from '../support/example-config';
import { type FlatStatement, roleLogicalId, roleStatements, trustStatements } from '../support/iam-policies';

function ciTemplate(config: Config): { stack: CiStack; template: Template } {
  process.env.CDK_VALIDATION = 'false';
  const { delivery } = buildApp(config, { nag: false });
  if (!delivery) throw new Error('expected the delivery stacks');
  return { stack: delivery.ci, template: Template.fromStack(delivery.ci) };
}

const TOOLS_ACCOUNT = '111111111111';

/** The example's environments: name, account and GitHub environment output. */
const ENVIRONMENTS = [
  ['dev', '222222222222', 'DeployRoleArnDev'],
  ['stage', '333333333333', 'DeployRoleArnStage'],
  ['prod', '444444444444', 'DeployRoleArnProd'],
] as const;

/** The service's two repositories: branch images (dev) and release images (stage, prod). */
const BRANCH_REPOSITORY = 'wheelhouse/service-branches';
const RELEASE_REPOSITORY = 'wheelhouse/service';

/** ECR actions that read; every other ECR action writes (an image, a tag, the repository's settings). */
const ECR_READ_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:DescribeImages',
  'ecr:DescribeRepositories',
  'ecr:GetAuthorizationToken',
  'ecr:GetDownloadUrlForLayer',
  'ecr:ListImages',
];

/** The logical id of the repository named `name`. */
function repositoryLogicalId(template: Template, name: string): string {
  const ids = Object.keys(
    template.findResources('AWS::ECR::Repository', { Properties: { RepositoryName: name } }),
  );
  if (ids.length !== 1) throw new Error(`expected one repository named ${name}, found ${ids.length}`);
  return ids[0]!;
}

/** True when role `roleName` may write to repository `repositoryName` (any ECR action but a read). */
function mayWrite(template: Template, roleName: string, repositoryName: string): boolean {
  const arn = `\${${repositoryLogicalId(template, repositoryName)}.Arn}`;
  return roleStatements(template, roleLogicalId(template, roleName)).some(
    (s) =>
      s.effect === 'Allow' &&
      (s.resources.includes(arn) || s.resources.includes('*')) &&
      s.actions.some((a) => (a === '*' || a.startsWith('ecr:')) && !ECR_READ_ACTIONS.includes(a)),
  );
}

/** What deploying an environment stack takes: no image-publishing role (no Docker assets). */
const DEPLOY_BOOTSTRAP_ROLES = ['deploy', 'file-publishing', 'lookup'];

function bootstrapRoles(account: string, roles: readonly string[]): string[] {
  return roles.map((role) => `arn:aws:iam::${account}:role/cdk-hnb659fds-${role}-role-${account}-eu-west-1`);
}

const SUB = 'token.actions.githubusercontent.com:sub';

/** Every `sub` a role's trust policy admits, whatever the condition operator. */
function subjects(trust: readonly FlatStatement[]): string[] {
  return trust.flatMap((statement) =>
    Object.values((statement.condition ?? {}) as Record<string, Record<string, unknown>>).flatMap((keys) => {
      const value = keys[SUB];
      return value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
    }),
  );
}

/** Every role of a template, by its name. */
function roleNames(template: Template): string[] {
  return Object.values(template.findResources('AWS::IAM::Role')).map((r) => String(r.Properties.RoleName));
}

describe('CiStack', () => {
  const { stack, template } = ciTemplate(exampleConfig());
  const roleOf = (env: string) => roleLogicalId(template, `wheelhouse-ci-deploy-${env}`);

  it('lives in the tools account, the registry’s, and is protected from deletion', () => {
    expect([stack.stackName, stack.account, stack.region, stack.terminationProtection]).toEqual([
      'wheelhouse-ci',
      TOOLS_ACCOUNT,
      'eu-west-1',
      true,
    ]);
  });

  it("trusts GitHub's OIDC issuer for the STS audience", () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it.each([
    ['release repository', RELEASE_REPOSITORY],
    ['branch repository', BRANCH_REPOSITORY],
    ['bot repository', 'wheelhouse/bot'],
  ])(
    'creates the %s (%s) with immutable tags, a scan on push and a lifecycle, kept on deletion',
    (_, name) => {
      template.hasResource('AWS::ECR::Repository', {
        Properties: Match.objectLike({
          RepositoryName: name,
          ImageTagMutability: 'IMMUTABLE',
          ImageScanningConfiguration: { ScanOnPush: true },
          LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('"tagStatus":"untagged"') },
        }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    },
  );

  it.each([
    ['release', RELEASE_REPOSITORY, ['333333333333', '444444444444']],
    ['branch', BRANCH_REPOSITORY, ['222222222222']],
  ])(
    'lets only the accounts of the environments that run %s images pull from %s, and nobody write to it',
    (_, name, accounts) => {
      const repository = template.toJSON().Resources[repositoryLogicalId(template, name)];
      // The partition is a literal (feature flag @aws-cdk/core:enablePartitionLiterals).
      const principals = accounts.map((account) => `arn:aws:iam::${account}:root`);
      // One pull statement and nothing else: the repository's own policy grants no account a write.
      expect(repository.Properties.RepositoryPolicyText).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PullFromEnvironmentAccounts',
            Effect: 'Allow',
            // CloudFormation takes one principal bare, several as a list.
            Principal: { AWS: principals.length === 1 ? principals[0] : principals },
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          },
        ],
      });
    },
  );

  it("lets no other account pull the bot's image", () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'wheelhouse/bot',
      RepositoryPolicyText: Match.absent(),
    });
  });

  describe('the push permissions', () => {
    it.each([
      ['dev', BRANCH_REPOSITORY, true],
      ['dev', RELEASE_REPOSITORY, false],
      ['stage', RELEASE_REPOSITORY, true],
      ['stage', BRANCH_REPOSITORY, false],
      ['prod', RELEASE_REPOSITORY, true],
      ['prod', BRANCH_REPOSITORY, false],
    ])("let %s's deploy role write to %s: %p", (env, repository, allowed) => {
      expect(mayWrite(template, `wheelhouse-ci-deploy-${env}`, repository)).toBe(allowed);
    });

    it.each([BRANCH_REPOSITORY, RELEASE_REPOSITORY, 'wheelhouse/bot'])(
      'let the pull requests’ plan role write nothing to %s',
      (repository) => {
        expect(mayWrite(template, 'wheelhouse-ci-plan', repository)).toBe(false);
      },
    );

    it('let nothing a branch can trigger write an image that a release environment runs', () => {
      // GIVEN the subjects a branch's own workflow run can get a token for: a job in a GitHub environment that
      // admits any branch (those with `images: branch`; README "CI/CD" sets dev to "No restriction"), or a
      // pull request's job
      const config = exampleConfig();
      const branchSubjects = [
        ...config.environments
          .filter((env) => env.images.tier === 'branch')
          .map((env) => `repo:example-org/wheelhouse:environment:${env.name}`),
        'repo:example-org/wheelhouse:pull_request',
      ];
      expect(branchSubjects).toEqual([
        'repo:example-org/wheelhouse:environment:dev',
        'repo:example-org/wheelhouse:pull_request',
      ]);
      const reachable = roleNames(template).filter((name) =>
        subjects(trustStatements(template, roleLogicalId(template, name))).some((sub) =>
          branchSubjects.includes(sub),
        ),
      );
      expect(reachable.sort()).toEqual(['wheelhouse-ci-deploy-dev', 'wheelhouse-ci-plan']);
      // THEN none of their roles may write to the repository that any release environment runs from (and no
      // role of an environment account, dev's bootstrap roles included, may either: the repository's policy
      // grants other accounts a pull only, see above)
      const released = [
        ...new Set(
          config.environments
            .filter((env) => env.images.tier === 'release')
            .map((e) => e.images.repositoryName),
        ),
      ];
      expect(released).toEqual([RELEASE_REPOSITORY]);
      for (const role of reachable)
        for (const repository of released) expect(mayWrite(template, role, repository)).toBe(false);
      // AND the roles that may write there are exactly those of stage and prod, which only main and tags reach
      expect(
        roleNames(template)
          .filter((role) => mayWrite(template, role, RELEASE_REPOSITORY))
          .sort(),
      ).toEqual(['wheelhouse-ci-deploy-prod', 'wheelhouse-ci-deploy-stage']);
    });

    it("follow each environment's images setting", () => {
      // GIVEN stage taking branch images and dev release images (a layout where main deploys to dev)
      const { template: swapped } = ciTemplate(
        exampleConfig((raw) => {
          raw.environments.dev.images = 'release';
          raw.environments.stage.images = 'branch';
        }),
      );
      // THEN the push grants and the pull accounts follow
      expect(mayWrite(swapped, 'wheelhouse-ci-deploy-stage', BRANCH_REPOSITORY)).toBe(true);
      expect(mayWrite(swapped, 'wheelhouse-ci-deploy-stage', RELEASE_REPOSITORY)).toBe(false);
      expect(mayWrite(swapped, 'wheelhouse-ci-deploy-dev', RELEASE_REPOSITORY)).toBe(true);
      const pullers = (name: string) =>
        JSON.stringify(
          swapped.toJSON().Resources[repositoryLogicalId(swapped, name)].Properties.RepositoryPolicyText,
        );
      expect(pullers(BRANCH_REPOSITORY)).toContain(':iam::333333333333:root');
      expect(pullers(BRANCH_REPOSITORY)).not.toContain(':iam::222222222222:root');
      expect(pullers(RELEASE_REPOSITORY)).toContain(':iam::222222222222:root');
    });
  });

  it("has one deploy role per environment, the pull requests' plan role and no other role", () => {
    expect(roleNames(template).sort()).toEqual([
      'wheelhouse-ci-deploy-dev',
      'wheelhouse-ci-deploy-prod',
      'wheelhouse-ci-deploy-stage',
      'wheelhouse-ci-plan',
    ]);
  });

  describe('the plan role', () => {
    const plan = () => roleLogicalId(template, 'wheelhouse-ci-plan');

    it("is assumed only with the repository's pull request tokens", () => {
      expect(trustStatements(template, plan())).toEqual([
        {
          sid: null,
          effect: 'Allow',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          resources: [],
          principal: { Federated: expect.stringMatching(/^\$\{GitHubProvider/) },
          condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              [SUB]: ['repo:example-org/wheelhouse:pull_request'],
            },
          },
        },
      ]);
    });

    it("may only assume each environment's plan role", () => {
      expect(
        roleStatements(template, plan()).map(({ sid, effect, actions, resources }) => ({
          sid,
          effect,
          actions,
          resources,
        })),
      ).toEqual([
        {
          sid: 'PlanEnvironments',
          effect: 'Allow',
          actions: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
          resources: ENVIRONMENTS.map(
            ([env, account]) => `arn:aws:iam::${account}:role/wheelhouse-${env}-plan`,
          ),
        },
      ]);
    });

    it('names each plan role once where two environments share an account', () => {
      // GIVEN stage in dev's account
      const { template: shared } = ciTemplate(
        exampleConfig((raw) => {
          raw.environments.stage.account = '222222222222';
        }),
      );
      // THEN each environment's own plan role, named by its stack, so still one each
      const [statement] = roleStatements(shared, roleLogicalId(shared, 'wheelhouse-ci-plan'));
      expect(statement?.resources).toEqual([
        'arn:aws:iam::222222222222:role/wheelhouse-dev-plan',
        'arn:aws:iam::222222222222:role/wheelhouse-stage-plan',
        'arn:aws:iam::444444444444:role/wheelhouse-prod-plan',
      ]);
    });

    it('publishes its ARN as PlanRoleArn, the ARN the pull request workflow computes from the configuration', () => {
      template.hasOutput(CI_STACK_OUTPUTS.planRoleArn, { Value: { 'Fn::GetAtt': [plan(), 'Arn'] } });
      const config = exampleConfig();
      expect(ciPlanRoleArn(config.project, config.delivery!)).toBe(
        `arn:aws:iam::${TOOLS_ACCOUNT}:role/${ciPlanRoleName(config.project)}`,
      );
      expect(ciPlanRoleName(config.project)).toBe('wheelhouse-ci-plan');
    });
  });

  it.each(ENVIRONMENTS)(
    "lets only jobs of the GitHub environment %s assume that environment's role",
    (env) => {
      expect(trustStatements(template, roleOf(env))).toEqual([
        {
          sid: null,
          effect: 'Allow',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          resources: [],
          principal: { Federated: expect.stringMatching(/^\$\{GitHubProvider/) },
          condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              [SUB]: [`repo:example-org/wheelhouse:environment:${env}`],
            },
          },
        },
      ]);
    },
  );

  it.each(
    ENVIRONMENTS.map(
      ([env, account]) =>
        [
          env,
          account,
          env === 'dev' ? 'Branch' : 'Release',
          env === 'dev' ? 'BranchRepository' : 'ServiceRepository',
        ] as const,
    ),
  )(
    "lets %s's role push the service images to its tier's repository and assume only its operator role and its account's deploy, file-publishing and lookup roles",
    (env, account, tier, repository) => {
      const statements = roleStatements(template, roleOf(env));
      expect(
        statements.map(({ sid, effect, actions, resources }) => ({ sid, effect, actions, resources })),
      ).toEqual([
        {
          sid: `Push${tier}Images`,
          effect: 'Allow',
          actions: [
            'ecr:BatchCheckLayerAvailability',
            'ecr:BatchGetImage',
            'ecr:CompleteLayerUpload',
            'ecr:DescribeImages',
            'ecr:GetDownloadUrlForLayer',
            'ecr:InitiateLayerUpload',
            'ecr:ListImages',
            'ecr:PutImage',
            'ecr:UploadLayerPart',
          ],
          resources: [expect.stringMatching(new RegExp(`^\\$\\{${repository}[0-9A-F]+\\.Arn\\}$`))],
        },
        { sid: 'RegistryLogin', effect: 'Allow', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
        {
          sid: 'DeployAndOperate',
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          resources: [
            `arn:aws:iam::${account}:role/wheelhouse-${env}-operator`,
            ...bootstrapRoles(account, DEPLOY_BOOTSTRAP_ROLES),
          ].sort(),
        },
        // The operator role for the run (source identity, session tags); never the CDK bootstrap roles,
        // whose default trust policies lack sts:SetSourceIdentity
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
        {
          sid: 'OperateForTheRun',
          effect: 'Allow',
          actions: ['sts:SetSourceIdentity', 'sts:TagSession'],
          resources: [`arn:aws:iam::${account}:role/wheelhouse-${env}-operator`],
        },
      ]);
    },
  );

  it('lets pull requests assume only the plan role, and no branch or tag ref any role: only prod’s own jobs deploy to prod', () => {
    const prodAccount = '444444444444';
    const reachesProd = (statement: FlatStatement) =>
      statement.actions.some((a) => a.startsWith('sts:') || a.startsWith('iam:')) &&
      statement.resources.some((r) => r === '*' || r.includes(`:${prodAccount}:`) || r.includes('-prod-'));
    const byRole = roleNames(template).map((name) => {
      const id = roleLogicalId(template, name);
      const statements = roleStatements(template, id);
      return {
        name,
        subjects: subjects(trustStatements(template, id)),
        reachesProd: statements.some(reachesProd),
        assumes: statements.filter((s) => s.actions.includes('sts:AssumeRole')).flatMap((s) => s.resources),
      };
    });
    // No role admits a ref or any pattern; exactly one admits pull requests, and nothing else.
    for (const role of byRole) {
      expect(role.subjects.length).toBeGreaterThan(0);
      for (const sub of role.subjects) {
        expect(sub).toMatch(/^repo:example-org\/wheelhouse:(environment:[a-z][a-z0-9-]*|pull_request)$/);
        expect(sub).not.toMatch(/:ref:|[*?]/);
      }
    }
    const pullRequestRoles = byRole.filter((role) => role.subjects.some((s) => s.endsWith(':pull_request')));
    expect(pullRequestRoles.map((r) => [r.name, r.subjects])).toEqual([
      ['wheelhouse-ci-plan', ['repo:example-org/wheelhouse:pull_request']],
    ]);
    // It reaches prod only through prod's plan role, which reads prod's template and nothing else
    // (test/stacks/plan-role.test.ts); no deploy, operator or bootstrap role.
    for (const arn of pullRequestRoles[0]!.assumes) expect(arn).toMatch(/:role\/wheelhouse-[a-z]+-plan$/);
    expect(byRole.filter((role) => role.reachesProd).map(({ name, subjects: subs }) => [name, subs])).toEqual(
      [
        ['wheelhouse-ci-deploy-prod', ['repo:example-org/wheelhouse:environment:prod']],
        ['wheelhouse-ci-plan', ['repo:example-org/wheelhouse:pull_request']],
      ],
    );
    // And no environment job's role may assume a plan role it does not need.
    for (const role of byRole.filter((r) => r.name !== 'wheelhouse-ci-plan'))
      expect(role.assumes.filter((arn) => arn.endsWith('-plan'))).toEqual([]);
  });

  it("lets no role deploy the tools account's own stacks or push the bot's image", () => {
    for (const name of roleNames(template)) {
      const resources = roleStatements(template, roleLogicalId(template, name)).flatMap((s) => s.resources);
      expect(resources.filter((r) => r.includes(`:${TOOLS_ACCOUNT}:role/`))).toEqual([]);
      expect(resources.filter((r) => r.includes('BotRepository'))).toEqual([]);
    }
  });

  it('keeps each role to its own operator role where two environments share an account; the bootstrap roles there are shared', () => {
    // GIVEN stage in dev's account and region
    const { template: shared } = ciTemplate(
      exampleConfig((raw) => {
        raw.environments.stage.account = '222222222222';
      }),
    );
    // THEN each may assume the same bootstrap roles, but only its own operator role
    const assumable = (env: string) =>
      roleStatements(shared, roleLogicalId(shared, `wheelhouse-ci-deploy-${env}`)).find(
        (s) => s.sid === 'DeployAndOperate',
      )?.resources;
    for (const env of ['dev', 'stage'])
      expect(assumable(env)).toEqual(
        [
          `arn:aws:iam::222222222222:role/wheelhouse-${env}-operator`,
          ...bootstrapRoles('222222222222', DEPLOY_BOOTSTRAP_ROLES),
        ].sort(),
      );
  });

  it('grants no wildcard action, and "*" only to the registry login', () => {
    for (const name of roleNames(template)) {
      for (const statement of roleStatements(template, roleLogicalId(template, name))) {
        for (const action of statement.actions) expect(action).not.toMatch(/\*/);
        if (statement.resources.includes('*'))
          expect(statement.actions).toEqual(['ecr:GetAuthorizationToken']);
      }
    }
  });

  it('follows the configured repository and project name', () => {
    const { template: custom } = ciTemplate(
      exampleConfig((raw) => {
        raw.project.name = 'acme';
        raw.delivery.github = { repository: 'acme/ops' };
      }),
    );
    const [trust] = trustStatements(custom, roleLogicalId(custom, 'acme-ci-deploy-prod'));
    expect(trust?.condition).toMatchObject({
      StringEquals: { [SUB]: ['repo:acme/ops:environment:prod'] },
    });
  });

  it.each(ENVIRONMENTS.map(([env, , output]) => [env, output] as const))(
    "publishes %s's role ARN as %s, the ARN the workflows compute from the configuration",
    (env, output) => {
      expect(ciDeployRoleOutput(env)).toBe(output);
      template.hasOutput(output, { Value: { 'Fn::GetAtt': [roleOf(env), 'Arn'] } });
      // The role's fixed name is the one ciDeployRoleArn (the workflows' setup action) builds the ARN from.
      const config = exampleConfig();
      expect(ciDeployRoleArn(config.project, config.delivery!, env)).toBe(
        `arn:aws:iam::${TOOLS_ACCOUNT}:role/${ciDeployRoleName(config.project, env)}`,
      );
      expect(roleNames(template)).toContain(ciDeployRoleName(config.project, env));
    },
  );

  it('publishes the repository URIs', () => {
    for (const key of Object.values(CI_STACK_OUTPUTS)) template.hasOutput(key, { Value: Match.anyValue() });
  });

  it('fails when two environments would share an output key', () => {
    const environment = (name: string) => ({
      name,
      account: '222222222222',
      region: 'eu-west-1',
      operatorRoleName: `wheelhouse-${name}-operator`,
      planRoleName: `wheelhouse-${name}-plan`,
      deployRoleName: `wheelhouse-ci-deploy-${name}`,
      images: 'branch' as const,
      releaseTagPattern: '^v\\d+\\.\\d+\\.\\d+$',
    });
    expect(
      () =>
        new CiStack(new App(), 'Ci', {
          stackName: 'wheelhouse-ci',
          account: TOOLS_ACCOUNT,
          region: 'eu-west-1',
          projectName: 'wheelhouse',
          githubRepository: 'example-org/wheelhouse',
          planRoleName: 'wheelhouse-ci-plan',
          environments: [environment('dev-1'), environment('dev1')],
          releaseRepositoryName: RELEASE_REPOSITORY,
          branchRepositoryName: BRANCH_REPOSITORY,
          botRepositoryName: 'wheelhouse/bot',
        }),
    ).toThrow('CiStack: two environments would share the output DeployRoleArnDev1 (dev-1, dev1); rename one');
  });
});

describe('GitHubOidc', () => {
  it.each(['ref:refs/heads/*', 'environment:prod*', 'environment:?'])(
    'fails when a role is given the pattern %s as a subject',
    (subject) => {
      const github = new GitHubOidc(new Stack(), 'GitHub', { repository: 'example-org/wheelhouse' });
      expect(() => github.role('Role', { roleName: 'r', description: 'd', subjects: [subject] })).toThrow(
        `GitHubOidc role r takes exact subjects only, got "${subject}"`,
      );
    },
  );
});
