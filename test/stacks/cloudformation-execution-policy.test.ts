/**
 * The CloudFormation execution policy that replaces the CDK bootstrap's AdministratorAccess
 * (`cdk bootstrap --cloudformation-execution-policies`,
 * https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-customizing.html): it covers every resource type
 * the environment stacks synthesize, and of IAM only the stack's own roles and instance profiles.
 *
 * Checked here: each `AWS::<namespace>::…` type of every environment template (with the optional broker
 * on) maps to a service the policy allows; a new type fails until the policy covers it. Checked against
 * independent implementations: cfn-lint accepts the policy stack's template, and moto's CloudFormation
 * creates it and its IAM holds the managed policy by its name. Not checkable here: that each service's
 * create/update/delete handlers need nothing beyond these actions; only a first deploy in a real account
 * says (a missing action fails that deploy with "is not authorized to perform: <action>").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { GetPolicyCommand, GetPolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  CloudFormationExecutionPolicyStack,
  STACK_SERVICES,
} from '../../stacks/ci/cloudformation-execution-policy';
import { exampleConfig } from '../support/example-config';
import { type FlatStatement, roleStatements } from '../support/iam-policies';
import { type MotoServer, startMotoServer } from '../support/moto-server';
import { synthTemplates } from '../support/synth';

/** Every environment, with the optional broker on where it is off, so that every resource type shows. */
const config = exampleConfig((raw) => {
  for (const env of Object.values(raw.environments) as { broker?: { enabled: boolean } }[]) {
    env.broker = { enabled: true };
  }
});
const environments = synthTemplates(config);

function policyStack(envName: string): { stack: CloudFormationExecutionPolicyStack; template: Template } {
  const env = config.environments.find((e) => e.name === envName)!;
  const stack = new CloudFormationExecutionPolicyStack(new App(), 'Policy', {
    environmentStackName: env.stackName,
    account: env.account,
    region: env.region,
    projectName: config.project.name,
    environmentName: env.name,
  });
  return { stack, template: Template.fromStack(stack) };
}

function statementsOf(template: Template): FlatStatement[] {
  const [policy] = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
  const doc = template.toJSON().Resources[policy!].Properties.PolicyDocument;
  // roleStatements reads a role's policies; this is a managed policy: flatten its document the same way.
  const fake = Template.fromJSON({
    Resources: {
      R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } },
      P: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'R' }], PolicyDocument: doc } },
    },
  });
  return roleStatements(fake, 'R');
}

function allows(statements: readonly FlatStatement[], action: string, resource: string): boolean {
  const matches = (pattern: string, value: string) =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.?+^$()[\]{}|\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(value);
  return statements.some(
    (s) =>
      s.effect === 'Allow' &&
      s.actions.some((a) => matches(a, action)) &&
      s.resources.some((r) => matches(r, resource)),
  );
}

describe.each(config.environments.map((e) => [e.name, e.stackName, e.account] as const))(
  'the CloudFormation execution policy of %s',
  (envName, stackName, account) => {
    const template = environments[envName]!;
    const resources = Object.entries(
      template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>,
    );
    const { template: policyTemplate } = policyStack(envName);
    const statements = statementsOf(policyTemplate);

    it('allows the service of every AWS resource type the stack has', () => {
      const types = [...new Set(resources.map(([, r]) => r.Type))].filter((t) => t.startsWith('AWS::'));
      const uncovered = types.filter((type) => {
        const namespace = type.split('::')[1]!;
        if (namespace === 'IAM' || namespace === 'Route53') return false; // checked below, by resource
        const prefix = STACK_SERVICES[namespace];
        return prefix === undefined || !allows(statements, `${prefix}:CreateSomething`, '*');
      });
      expect(uncovered).toEqual([]);
    });

    it('lets CloudFormation invoke every custom resource’s provider, a Lambda function of the stack', () => {
      const custom = resources.filter(
        ([, r]) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource',
      );
      expect(custom.length).toBeGreaterThan(0);
      for (const [, r] of custom) {
        const token = JSON.stringify(r.Properties?.ServiceToken);
        const provider = /"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/.exec(token)?.[1];
        expect(provider && (template.toJSON().Resources[provider] as { Type: string }).Type).toBe(
          'AWS::Lambda::Function',
        );
      }
      expect(allows(statements, 'lambda:InvokeFunction', '*')).toBe(true);
    });

    it(`names every role and instance profile ${stackName}-… (or lets CloudFormation name it so), and may manage and pass only those`, () => {
      for (const [, r] of resources.filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
        const name = r.Properties?.RoleName;
        if (name !== undefined) expect(String(name)).toMatch(new RegExp(`^${stackName}-`));
      }
      for (const [, r] of resources.filter(([, r]) => r.Type === 'AWS::IAM::InstanceProfile')) {
        expect(r.Properties?.InstanceProfileName).toBeUndefined();
      }
      // Inline policies go on the stack's roles only (no users, no groups).
      for (const [, r] of resources.filter(([, r]) => r.Type === 'AWS::IAM::Policy')) {
        expect(r.Properties?.Users).toBeUndefined();
        expect(r.Properties?.Groups).toBeUndefined();
      }
      const role = `arn:aws:iam::${account}:role/${stackName}-ServiceTaskDefinitionTaskRole-AbC123`;
      for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PassRole', 'iam:DeleteRole']) {
        expect(allows(statements, action, role)).toBe(true);
      }
      expect(
        allows(
          statements,
          'iam:CreateInstanceProfile',
          `arn:aws:iam::${account}:instance-profile/${stackName}-BastionInstanceProfile-X`,
        ),
      ).toBe(true);
      // Another stack's role, an admin role, users and policies: no.
      expect(
        allows(statements, 'iam:PassRole', `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`),
      ).toBe(false);
      expect(
        allows(
          statements,
          'iam:PutRolePolicy',
          `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-eu-west-1`,
        ),
      ).toBe(false);
      expect(allows(statements, 'iam:CreateUser', `arn:aws:iam::${account}:user/x`)).toBe(false);
      expect(
        allows(
          statements,
          'iam:CreatePolicyVersion',
          `arn:aws:iam::${account}:policy/${stackName}-cfn-execution`,
        ),
      ).toBe(false);
    });

    it('grants IAM nothing on "*", no iam:* wildcard, and every service but Route 53 in the region only', () => {
      for (const s of statements) {
        for (const action of s.actions.filter((a) => a.startsWith('iam:'))) {
          expect(action).not.toMatch(/\*/);
          expect(s.resources).not.toContain('*');
        }
        if (s.resources.includes('*') && !s.actions.every((a) => a.startsWith('route53:'))) {
          expect(s.condition).toEqual({ StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } });
        }
      }
      const slr = statements.find((s) => s.sid === 'ServiceLinkedRoles');
      expect(slr?.condition).toEqual({
        StringEquals: {
          'iam:AWSServiceName': [
            'ecs.amazonaws.com',
            'ecs.application-autoscaling.amazonaws.com',
            'elasticloadbalancing.amazonaws.com',
            'rds.amazonaws.com',
          ],
        },
      });
    });
  },
);

describe('CloudFormationExecutionPolicyStack', () => {
  const { stack, template } = policyStack('prod');

  it('is the managed policy <stack>-cfn-execution alone, in the environment’s account, with no bootstrap version check', () => {
    expect(stack.stackName).toBe('wheelhouse-prod-cfn-execution-policy');
    expect([stack.account, stack.region]).toEqual(['444444444444', 'eu-west-1']);
    const json = template.toJSON();
    expect(Object.values(json.Resources).map((r) => (r as { Type: string }).Type)).toEqual([
      'AWS::IAM::ManagedPolicy',
    ]);
    expect(json.Parameters).toBeUndefined();
    expect(json.Rules).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'wheelhouse-prod-cfn-execution',
    });
  });

  it('fits in a managed policy (6,144 characters without whitespace, IAM quotas)', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: managed policy size.
    const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    const size = JSON.stringify(policy!.Properties.PolicyDocument).replace(/\s/g, '').length;
    expect(size).toBeLessThan(6144);
  });

  describe('against independent implementations', () => {
    let moto: MotoServer;
    let dir: string;
    let file: string;
    beforeAll(async () => {
      moto = await startMotoServer();
      dir = mkdtempSync(path.join(tmpdir(), 'wheelhouse-cfn-policy-'));
      file = path.join(dir, 'policy.template.json');
      writeFileSync(file, JSON.stringify(template.toJSON(), null, 1));
    }, 30_000);
    afterAll(async () => {
      await moto.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('passes cfn-lint', () => {
      // Throws with the findings when cfn-lint exits non-zero.
      expect(execFileSync('cfn-lint', [file], { encoding: 'utf8' })).toBe('');
    });

    it('is created by moto’s CloudFormation, and IAM then holds the policy by its name', async () => {
      const options = {
        endpoint: moto.endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
      };
      const cfn = new CloudFormationClient(options);
      const iam = new IAMClient(options);
      await cfn.send(
        new CreateStackCommand({
          StackName: stack.stackName,
          TemplateBody: JSON.stringify(template.toJSON()),
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );
      const described = await cfn.send(new DescribeStacksCommand({ StackName: stack.stackName }));
      expect(described.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
      // moto's own account id (123456789012) stands in for the environment's.
      const arn = 'arn:aws:iam::123456789012:policy/wheelhouse-prod-cfn-execution';
      const got = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      const version = await iam.send(
        new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: got.Policy!.DefaultVersionId! }),
      );
      const document = JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!));
      expect(document.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(
        statementsOf(template).map((s) => s.sid),
      );
      cfn.destroy();
      iam.destroy();
    });
  });
});
