/**
 * The roles the tools account's principals (each environment's CI deploy role, the bot's task role)
 * may assume in the accounts they deploy to and operate: each environment's operator role and the CDK
 * bootstrap roles that toolkit-lib and the CDK CLI assume to deploy. (The CI plan role names the
 * environments' plan roles with {@link roleArn} itself.)
 */
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ACTOR_SOURCE_IDENTITY_PATTERNS, type CdkBootstrapRole, cdkBootstrapRoleName } from '../config';

/**
 * Bootstrap roles that deploying an environment stack takes: toolkit-lib deploys with the deploy role,
 * uploads file assets with the file-publishing role and reads with the lookup role. The environment
 * stacks have no Docker image assets (images come from the registry), so the image-publishing role is
 * left out.
 */
export const ENVIRONMENT_DEPLOY_BOOTSTRAP_ROLES: readonly CdkBootstrapRole[] = [
  'deploy',
  'file-publishing',
  'lookup',
];

/** One account and region the tools account deploys to, and its operator role when it is an environment. */
export interface DeliveryTarget {
  readonly account: string;
  readonly region: string;
  /** `<stack>-operator`, or null for the tools account itself (deployed to, not operated). */
  readonly operatorRoleName: string | null;
}

/** The ARN of role `name` in `account`, in the stack's partition. */
export function roleArn(account: string, name: string): string {
  return `arn:${Aws.PARTITION}:iam::${account}:role/${name}`;
}

/**
 * The principal of an environment role that roles `names` of the tools account `account` may assume: the
 * account principal with the roles' ARNs as a condition, rather than the roles as principals, because IAM
 * refuses a trust policy that names a role that does not exist yet, and the tools account's stacks may be
 * deployed after the environment's (or redeployed, which gives the roles new ids).
 */
export function assumableByRoles(
  scope: Construct,
  account: string,
  names: readonly string[],
): iam.IPrincipal {
  const { partition } = Stack.of(scope);
  return new iam.AccountPrincipal(account).withConditions({
    ArnEquals: { 'aws:PrincipalArn': names.map((name) => `arn:${partition}:iam::${account}:role/${name}`) },
  });
}

/**
 * Lets roles `names` of the tools account `account` assume `role` for someone: with a source identity
 * (`slack-*`, `gh-*` or `cli-*` only) and session tags, as `ops/aws-clients.ts` `actingFor` sends them.
 * STS checks the trust policy for `sts:SetSourceIdentity` and `sts:TagSession` besides `sts:AssumeRole`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html): without them every acting-for
 * AssumeRole is AccessDenied. The caller's identity policy must allow the same actions on `role`.
 */
export function trustActorSessions(role: iam.Role, account: string, names: readonly string[]): void {
  const { partition } = Stack.of(role);
  const principalArns = names.map((name) => `arn:${partition}:iam::${account}:role/${name}`);
  role.assumeRolePolicy?.addStatements(
    new iam.PolicyStatement({
      actions: ['sts:SetSourceIdentity'],
      principals: [new iam.AccountPrincipal(account)],
      conditions: {
        ArnEquals: { 'aws:PrincipalArn': principalArns },
        StringLike: { 'sts:SourceIdentity': [...ACTOR_SOURCE_IDENTITY_PATTERNS] },
      },
    }),
    new iam.PolicyStatement({
      actions: ['sts:TagSession'],
      principals: [new iam.AccountPrincipal(account)],
      conditions: { ArnEquals: { 'aws:PrincipalArn': principalArns } },
    }),
  );
}

/** What a caller needs on a role it assumes for someone (see {@link trustActorSessions}). */
export const ACTING_FOR_ACTIONS: readonly string[] = [
  'sts:AssumeRole',
  'sts:SetSourceIdentity',
  'sts:TagSession',
];

/** ARNs of the operator roles of `targets`, in their order. */
export function operatorRoleArns(targets: readonly DeliveryTarget[]): string[] {
  return unique(targets.flatMap((t) => (t.operatorRoleName ? [roleArn(t.account, t.operatorRoleName)] : [])));
}

/** ARNs of the CDK bootstrap roles `roles` of every account and region of `targets`. */
export function bootstrapRoleArns(
  targets: readonly DeliveryTarget[],
  roles: readonly CdkBootstrapRole[],
): string[] {
  return unique(
    targets.flatMap((t) =>
      roles.map((role) => roleArn(t.account, cdkBootstrapRoleName(role, t.account, t.region))),
    ),
  );
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
