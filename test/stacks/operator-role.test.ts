import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { STACK_OUTPUTS } from '../../config';
import { exampleConfig } from '../support/example-config';
import { roleLogicalId, roleStatements, trustStatements } from '../support/iam-policies';
import { synthTemplates } from '../support/synth';

const OPS = join(__dirname, '..', '..', 'ops');

/**
 * Every AWS call the ops make in an environment, where, and the action it needs. The calls of the
 * registry (tools account, the bot's own role) and STS (the role assumption itself) are not here.
 */
const CALLS: readonly (readonly [file: string, command: string, action: string])[] = [
  ['stack-outputs.ts', 'DescribeStacksCommand', 'cloudformation:DescribeStacks'],
  ['deploy/deploy-state.ts', 'GetItemCommand', 'dynamodb:GetItem'],
  ['deploy/deploy-state.ts', 'PutItemCommand', 'dynamodb:PutItem'],
  ['deploy/deploy-state.ts', 'UpdateItemCommand', 'dynamodb:UpdateItem'],
  ['deploy/deploy-state.ts', 'DeleteItemCommand', 'dynamodb:DeleteItem'],
  ['deploy/deploy-state.ts', 'QueryCommand', 'dynamodb:Query'],
  ['service-status.ts', 'DescribeServicesCommand', 'ecs:DescribeServices'],
  ['service-status.ts', 'ListServiceDeploymentsCommand', 'ecs:ListServiceDeployments'],
  ['service-status.ts', 'DescribeTaskDefinitionCommand', 'ecs:DescribeTaskDefinition'],
  ['service-status.ts', 'DescribeScalableTargetsCommand', 'application-autoscaling:DescribeScalableTargets'],
  ['service-status.ts', 'DescribeDBClustersCommand', 'rds:DescribeDBClusters'],
  ['scale.ts', 'DescribeServicesCommand', 'ecs:DescribeServices'],
  ['scale.ts', 'DescribeScalableTargetsCommand', 'application-autoscaling:DescribeScalableTargets'],
  ['scale.ts', 'UpdateServiceCommand', 'ecs:UpdateService'],
  ['scale.ts', 'RegisterScalableTargetCommand', 'application-autoscaling:RegisterScalableTarget'],
  ['deploy/rollout-watch.ts', 'DescribeServicesCommand', 'ecs:DescribeServices'],
  ['deploy/target-health.ts', 'DescribeServicesCommand', 'ecs:DescribeServices'],
  ['deploy/target-health.ts', 'ListTasksCommand', 'ecs:ListTasks'],
  ['deploy/target-health.ts', 'DescribeTasksCommand', 'ecs:DescribeTasks'],
  ['deploy/target-health.ts', 'DescribeTargetHealthCommand', 'elasticloadbalancing:DescribeTargetHealth'],
  ['bastion-keys.ts', 'GetParametersByPathCommand', 'ssm:GetParametersByPath'],
  ['bastion-keys.ts', 'GetParameterCommand', 'ssm:GetParameter'],
  ['bastion-keys.ts', 'PutParameterCommand', 'ssm:PutParameter'],
  // PutParameter with tags, and a renewed key's new expiry tag.
  ['bastion-keys.ts', 'AddTagsToResourceCommand', 'ssm:AddTagsToResource'],
  ['bastion-keys.ts', 'DeleteParameterCommand', 'ssm:DeleteParameter'],
  // /tunnel shows the host key fingerprints the bastion published.
  ['bastion-host-keys.ts', 'GetParameterCommand', 'ssm:GetParameter'],
  ['secrets.ts', 'GetSecretValueCommand', 'secretsmanager:GetSecretValue'],
];

/**
 * Files whose calls use the process's own credentials, or a CDK bootstrap role assumed with them (the
 * deployer reads the deployed stack through the lookup role), not an operator role.
 */
const NOT_IN_AN_ENVIRONMENT = [
  'aws-clients.ts',
  'deploy/image-tags.ts',
  'deploy/deployed-image-marks.ts',
  'deploy/toolkit-stack-deployer.ts',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('OperatorRole', () => {
  const templates = synthTemplates(exampleConfig());
  const prod = templates.prod!;
  const dev = templates.dev!;
  const operator = (template: Template, env: string) => roleLogicalId(template, `wheelhouse-${env}-operator`);

  it.each(['dev', 'stage', 'prod'])(
    "is assumed in %s only by the bot task role and that environment's own CI deploy role, for someone of ours",
    (env) => {
      const template = templates[env]!;
      const callers = [
        'arn:aws:iam::111111111111:role/wheelhouse-bot-task',
        `arn:aws:iam::111111111111:role/wheelhouse-ci-deploy-${env}`,
      ];
      expect(trustStatements(template, operator(template, env))).toEqual([
        {
          sid: null,
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          resources: [],
          principal: { AWS: 'arn:aws:iam::111111111111:root' },
          condition: { ArnEquals: { 'aws:PrincipalArn': callers } },
        },
        // For someone: a source identity of ours only, and session tags. STS checks both actions in the trust
        // policy: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
        // and https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html.
        {
          sid: null,
          effect: 'Allow',
          actions: ['sts:SetSourceIdentity'],
          resources: [],
          principal: { AWS: 'arn:aws:iam::111111111111:root' },
          condition: {
            ArnEquals: { 'aws:PrincipalArn': callers },
            StringLike: { 'sts:SourceIdentity': ['slack-*', 'gh-*', 'cli-*'] },
          },
        },
        {
          sid: null,
          effect: 'Allow',
          actions: ['sts:TagSession'],
          resources: [],
          principal: { AWS: 'arn:aws:iam::111111111111:root' },
          condition: { ArnEquals: { 'aws:PrincipalArn': callers } },
        },
      ]);
    },
  );

  it("grants exactly the bot commands' calls, each on the environment's own resource", () => {
    const statements = roleStatements(prod, operator(prod, 'prod')).map(
      ({ sid, effect, actions, resources }) => ({
        sid,
        effect,
        actions,
        resources,
      }),
    );
    expect(statements).toEqual([
      {
        sid: 'ReadStackOutputs',
        effect: 'Allow',
        actions: ['cloudformation:DescribeStacks'],
        resources: ['arn:aws:cloudformation:eu-west-1:444444444444:stack/wheelhouse-prod/*'],
      },
      {
        sid: 'DeployState',
        effect: 'Allow',
        actions: [
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
        resources: [expect.stringMatching(/^\$\{DeployStateTable[0-9A-F]+\.Arn\}$/)],
      },
      {
        sid: 'Service',
        effect: 'Allow',
        actions: ['ecs:DescribeServices', 'ecs:ListServiceDeployments', 'ecs:UpdateService'],
        resources: [expect.stringMatching(/^\$\{Service[0-9A-F]+\}$/)],
      },
      {
        sid: 'Tasks',
        effect: 'Allow',
        actions: ['ecs:DescribeTasks'],
        resources: ['arn:aws:ecs:eu-west-1:444444444444:task/*'],
      },
      {
        sid: 'Unscoped',
        effect: 'Allow',
        actions: [
          'application-autoscaling:DescribeScalableTargets',
          'ecs:DescribeTaskDefinition',
          'ecs:ListTasks',
          'elasticloadbalancing:DescribeTargetHealth',
        ],
        resources: ['*'],
      },
      {
        sid: 'Database',
        effect: 'Allow',
        actions: ['rds:DescribeDBClusters'],
        resources: [
          expect.stringMatching(
            /^arn:aws:rds:eu-west-1:444444444444:cluster:\$\{DatabaseCluster[0-9A-F]+\}$/,
          ),
        ],
      },
      {
        sid: 'BastionKeys',
        effect: 'Allow',
        actions: [
          'ssm:AddTagsToResource',
          'ssm:DeleteParameter',
          'ssm:GetParameter',
          'ssm:GetParametersByPath',
          'ssm:PutParameter',
        ],
        resources: [
          'arn:aws:ssm:eu-west-1:444444444444:parameter/wheelhouse/prod/bastion/authorized-keys',
          'arn:aws:ssm:eu-west-1:444444444444:parameter/wheelhouse/prod/bastion/authorized-keys/*',
        ],
      },
      {
        // Read only: the bastion itself writes its host keys.
        sid: 'BastionHostKeys',
        effect: 'Allow',
        actions: ['ssm:GetParameter'],
        resources: ['arn:aws:ssm:eu-west-1:444444444444:parameter/wheelhouse/prod/bastion/host-keys'],
      },
      {
        sid: 'PagerDutyRoutingKey',
        effect: 'Allow',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [
          'arn:aws:secretsmanager:eu-west-1:444444444444:secret:wheelhouse/prod/pagerduty-routing-key-??????',
        ],
      },
      {
        sid: 'ScalableTarget',
        effect: 'Allow',
        actions: ['application-autoscaling:RegisterScalableTarget'],
        resources: ['arn:aws:application-autoscaling:eu-west-1:444444444444:scalable-target/*'],
      },
    ]);
  });

  it.each(['dev', 'stage', 'prod'])(
    'sets autoscaling bounds in %s only on scalable targets tagged with that environment, as its stack tags its own',
    (env) => {
      // GIVEN Application Auto Scaling's ABAC: RegisterScalableTarget on an existing target is evaluated
      // against its tags (https://docs.aws.amazon.com/autoscaling/application/userguide/security_iam_service-with-iam.html#security_iam_service-with-iam-tags).
      const template = templates[env]!;
      const statement = roleStatements(template, operator(template, env)).find(
        (s) => s.sid === 'ScalableTarget',
      );
      expect(statement?.condition).toEqual({
        StringEquals: { 'aws:ResourceTag/wheelhouse:environment': env },
      });
      const targets = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
      expect(targets).toHaveLength(1);
      expect(targets[0]!.Properties.Tags).toContainEqual({ Key: 'wheelhouse:environment', Value: env });
    },
  );

  it('references the ECS service, the table and the cluster of its own stack', () => {
    const resources = prod.toJSON().Resources as Record<string, { Type: string }>;
    const statements = roleStatements(prod, operator(prod, 'prod'));
    const logicalIds = statements
      .flatMap((s) => s.resources)
      .flatMap((r) => [...r.matchAll(/\$\{([A-Za-z0-9]+)/g)].map((m) => m[1]!));
    expect(logicalIds.map((id) => resources[id]?.Type).sort()).toEqual([
      'AWS::DynamoDB::GlobalTable',
      'AWS::ECS::Service',
      'AWS::RDS::DBCluster',
    ]);
  });

  it('reads no PagerDuty routing key where paging is off', () => {
    const sids = roleStatements(dev, operator(dev, 'dev')).map((s) => s.sid);
    expect(sids).not.toContain('PagerDutyRoutingKey');
    expect(sids).toHaveLength(9);
  });

  it('grants no wildcard action, and "*" only to the actions that take no resource', () => {
    for (const statement of roleStatements(prod, operator(prod, 'prod'))) {
      for (const action of statement.actions) expect(action).not.toMatch(/\*/);
      if (statement.resources.includes('*')) expect(statement.sid).toBe('Unscoped');
    }
  });

  it.each(CALLS)('%s calls %s, which the role allows as %s', (file, command, action) => {
    expect(readFileSync(join(OPS, file), 'utf8')).toMatch(new RegExp(`\\b${command}\\(`));
    const actions = roleStatements(prod, operator(prod, 'prod')).flatMap((s) => s.actions);
    expect(actions).toContain(action);
  });

  it('knows every AWS call the ops make in an environment', () => {
    const made = sourceFiles(OPS)
      .map((path) => relative(OPS, path))
      .filter((file) => !NOT_IN_AN_ENVIRONMENT.includes(file))
      .flatMap((file) =>
        [...readFileSync(join(OPS, file), 'utf8').matchAll(/new (?:\w+\.)?(\w+Command)\(/g)].map(
          (m) => `${file} ${m[1]}`,
        ),
      );
    const known = new Set(CALLS.map(([file, command]) => `${file} ${command}`));
    expect([...new Set(made)].filter((call) => !known.has(call))).toEqual([]);
  });

  it('publishes its ARN for the bot and CI', () => {
    prod.hasOutput(STACK_OUTPUTS.operatorRoleArn, {
      Value: { 'Fn::GetAtt': [operator(prod, 'prod'), 'Arn'] },
    });
  });

  it('is not created without a delivery section', () => {
    const alone = synthTemplates(
      exampleConfig((raw) => {
        delete raw.delivery;
      }),
      ['dev'],
    ).dev!;
    expect(
      alone.findResources('AWS::IAM::Role', { Properties: { RoleName: 'wheelhouse-dev-operator' } }),
    ).toEqual({});
    expect(Object.keys(alone.findOutputs(STACK_OUTPUTS.operatorRoleArn))).toEqual([]);
  });
});
