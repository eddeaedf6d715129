import type { Template } from 'aws-cdk-lib/assertions';
import { planRoleArn, planRoleName, STACK_OUTPUTS } from '../../config';
import { PLAN_STACK_ACTIONS, PLAN_UNSCOPED_ACTIONS } from '../../stacks/plan-role';
import { exampleConfig } from '../support/example-config';
import { roleLogicalId, roleStatements, trustStatements } from '../support/iam-policies';
import { synthTemplates } from '../support/synth';

/** The example's environments and their accounts. */
const ENVIRONMENTS = [
  ['dev', '222222222222'],
  ['stage', '333333333333'],
  ['prod', '444444444444'],
] as const;

describe('PlanRole', () => {
  const templates = synthTemplates(exampleConfig());
  const plan = (template: Template, env: string) => roleLogicalId(template, `wheelhouse-${env}-plan`);

  it.each(ENVIRONMENTS)("is assumed in %s only by the tools account's CI plan role", (env) => {
    const template = templates[env]!;
    expect(trustStatements(template, plan(template, env))).toEqual([
      {
        sid: null,
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        resources: [],
        principal: { AWS: 'arn:aws:iam::111111111111:root' },
        condition: {
          ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/wheelhouse-ci-plan'] },
        },
      },
      // For the run: its source identity (ours only) and session tags, which STS checks in the trust policy:
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html and
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html.
      expect.objectContaining({
        actions: ['sts:SetSourceIdentity'],
        condition: {
          ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/wheelhouse-ci-plan'] },
          StringLike: { 'sts:SourceIdentity': ['slack-*', 'gh-*', 'cli-*'] },
        },
      }),
      expect.objectContaining({
        actions: ['sts:TagSession'],
        condition: {
          ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/wheelhouse-ci-plan'] },
        },
      }),
    ]);
  });

  it.each(ENVIRONMENTS)(
    "allows in %s only DescribeStacks and GetTemplate of the environment's own stack, and the zone lookup of its synth",
    (env, account) => {
      const template = templates[env]!;
      expect(roleStatements(template, plan(template, env))).toEqual([
        {
          sid: 'ReadDeployedTemplate',
          effect: 'Allow',
          actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
          resources: [`arn:aws:cloudformation:eu-west-1:${account}:stack/wheelhouse-${env}/*`],
          principal: undefined,
          condition: undefined,
        },
        {
          sid: 'LookUpAvailabilityZones',
          effect: 'Allow',
          actions: ['ec2:DescribeAvailabilityZones'],
          resources: ['*'],
          principal: undefined,
          condition: undefined,
        },
      ]);
      expect([...PLAN_STACK_ACTIONS, ...PLAN_UNSCOPED_ACTIONS].sort()).toEqual([
        'cloudformation:DescribeStacks',
        'cloudformation:GetTemplate',
        'ec2:DescribeAvailabilityZones',
      ]);
    },
  );

  it('has the name and ARN that the CI plan role and the command line compute from the configuration', () => {
    const config = exampleConfig();
    const dev = config.environments.find((e) => e.name === 'dev')!;
    expect(planRoleName(dev)).toBe('wheelhouse-dev-plan');
    expect(planRoleArn(dev)).toBe('arn:aws:iam::222222222222:role/wheelhouse-dev-plan');
    templates.dev!.hasOutput(STACK_OUTPUTS.planRoleArn, {
      Value: { 'Fn::GetAtt': [plan(templates.dev!, 'dev'), 'Arn'] },
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
      alone.findResources('AWS::IAM::Role', { Properties: { RoleName: 'wheelhouse-dev-plan' } }),
    ).toEqual({});
    expect(Object.keys(alone.findOutputs(STACK_OUTPUTS.planRoleArn))).toEqual([]);
  });
});
