/**
 * The environment's plan role: what a pull request's `deploy --plan` reads of the environment, and
 * nothing else. Pull requests run code nobody has reviewed yet, so the CDK bootstrap lookup role
 * (ReadOnlyAccess on the whole account) is out of their reach; this role replaces it for the one thing
 * a plan reads: the deployed template and the stack's description (its `ImageTag`, whether it exists).
 *
 * Assumed from the tools account only by the CI plan role (`<project>-ci-plan`), which GitHub's tokens
 * of this repository's pull requests assume. toolkit-lib's template diff (`DiffMethod.TemplateOnly`,
 * see `ops/deploy/toolkit-stack-deployer.ts`) makes exactly these calls with it:
 * - `ec2:DescribeAvailabilityZones` while it synthesizes: the VPC checks the configured zones against the
 *   region's (a context lookup, as in every deploy). Refused, the synth would give up on it and skip
 *   the check; the call takes no resource but `*` and reads only the region's zone names.
 * - `cloudformation:DescribeStacks` and `cloudformation:GetTemplate`, on this stack only.
 *
 * (test/ops/toolkit-stack-deployer.test.ts runs the real diff against a fake account that holds
 * this role to its policy as synthesized.) `sts:GetCallerIdentity`, which toolkit-lib also calls, needs
 * no permission. No `sts:AssumeRole`: the lookup role toolkit-lib asks for first is refused, and it
 * carries on with this role's credentials.
 *
 * What a pull request can read through it: the stack's template, parameters and outputs (endpoints,
 * resource names and ARNs, never a secret's value: secrets stay in Secrets Manager).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { assumableByRoles, trustActorSessions } from './delivery-targets';
import { nagWildcardId } from './nag-ids';

/** What a template diff reads of the deployed stack (see the module comment). */
export const PLAN_STACK_ACTIONS: readonly string[] = [
  'cloudformation:DescribeStacks',
  'cloudformation:GetTemplate',
];

/** What its synth looks up, with no resource but `*` (see the module comment). */
export const PLAN_UNSCOPED_ACTIONS: readonly string[] = ['ec2:DescribeAvailabilityZones'];

/** Props of {@link PlanRole}. */
export interface PlanRoleProps {
  /** A fixed name, `<stack>-plan`, that the CI plan role's policy names. */
  readonly roleName: string;
  /** The tools account, where CI runs. */
  readonly trustedAccount: string;
  /** The CI plan role in the tools account (`<project>-ci-plan`), the only principal that may assume this one. */
  readonly trustedRoleName: string;
  /** The environment's stack, the only one the role reads. */
  readonly stackName: string;
}

/** The plan role of one environment. */
export class PlanRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PlanRoleProps) {
    super(scope, id);
    const { partition, region, account } = Stack.of(this);
    // The stack's id follows its name in its ARN.
    const stackArn = `arn:${partition}:cloudformation:${region}:${account}:stack/${props.stackName}/*`;
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `Assumed by pull requests' plans (${props.trustedRoleName}) to diff ${props.stackName}: reads its template only`,
      assumedBy: assumableByRoles(this, props.trustedAccount, [props.trustedRoleName]),
    });
    trustActorSessions(this.role, props.trustedAccount, [props.trustedRoleName]);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadDeployedTemplate',
        actions: [...PLAN_STACK_ACTIONS],
        resources: [stackArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'LookUpAvailabilityZones',
        actions: [...PLAN_UNSCOPED_ACTIONS],
        resources: ['*'],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        "ec2:DescribeAvailabilityZones (the synth's check of the configured zones) has no resource-level permissions.",
    });
    Validations.of(this.role).acknowledge({
      id: nagWildcardId(this, stackArn),
      reason: `DescribeStacks and GetTemplate of ${props.stackName} only: its ARN ends with an id CloudFormation assigns.`,
    });
  }
}
