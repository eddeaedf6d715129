/**
 * The policy CloudFormation deploys an environment stack with, instead of the CDK bootstrap's default
 * AdministratorAccess: `cdk bootstrap --cloudformation-execution-policies <its ARN>` gives it to the
 * bootstrap's execution role (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-customizing.html), which
 * the bot's and CI's deploys go through (they assume the bootstrap's deploy role; CloudFormation then acts
 * with the execution role).
 *
 * It allows the services whose resources the environment stacks create, in the environment's region, and
 * of IAM only roles and instance profiles named after the stack (CloudFormation names a role it is not
 * given a name for `<stack>-<logical id>-<suffix>`; our named roles are `<stack>-…` too), passing only those
 * roles, and creating only the service-linked roles of the services used. No IAM user, group, policy
 * outside the stack's roles, nor any other service: a template that tried would fail to deploy.
 * test/stacks/cloudformation-execution-policy.test.ts fails when a synthesized template has a resource
 * type this policy does not cover.
 *
 * It lives in a stack of its own per environment, `<stack>-cfn-execution-policy`, in the environment's
 * account, created by a person before `cdk bootstrap` there: it cannot be deployed through the bootstrap it
 * configures, and a deploy must not be able to widen its own policy. The stack has no asset and no
 * bootstrap version check, so plain CloudFormation deploys it (README, operator's guide).
 */
import { BootstraplessSynthesizer, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { RESOURCE_TAGS } from '../../config';

/**
 * CloudFormation resource type namespaces (`AWS::<namespace>::…`) of the environment stacks, and the IAM
 * service prefix whose actions create them: granted whole (`<prefix>:*`), in the environment's region.
 */
export const STACK_SERVICES: Readonly<Record<string, string>> = {
  ApplicationAutoScaling: 'application-autoscaling',
  DynamoDB: 'dynamodb',
  EC2: 'ec2',
  ECS: 'ecs',
  ElasticLoadBalancingV2: 'elasticloadbalancing',
  // Event forwarding to Datadog (stacks/datadog/event-forwarding.ts): rules, the connection, the API destination.
  Events: 'events',
  Lambda: 'lambda',
  Logs: 'logs',
  // The optional broker (broker.enabled): MSK Serverless.
  MSK: 'kafka',
  RDS: 'rds',
  S3: 's3',
  SecretsManager: 'secretsmanager',
  // The dead-letter queue of the event forwarding.
  SQS: 'sqs',
};

/**
 * Services the stacks' resources use without a resource type of their own: target-tracking scaling
 * policies create CloudWatch alarms with the caller's permissions
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/security_iam_id-based-policy-examples.html),
 * and CloudFormation resolves `AWS::SSM::Parameter::Value` parameters (the bootstrap version, public AMI
 * ids) with the execution role.
 */
export const SUPPORTING_ACTIONS: readonly string[] = [
  'cloudwatch:DeleteAlarms',
  'cloudwatch:DescribeAlarms',
  'cloudwatch:PutMetricAlarm',
  'ssm:GetParameter',
  'ssm:GetParameters',
];

/** What CloudFormation does with an `AWS::Route53::RecordSet`, in the hosted zones of the account. */
export const ROUTE53_ACTIONS: readonly string[] = [
  'route53:ChangeResourceRecordSets',
  'route53:GetChange',
  'route53:GetHostedZone',
  'route53:ListHostedZones',
  'route53:ListHostedZonesByName',
  'route53:ListResourceRecordSets',
];

/** What CloudFormation does with the stack's `AWS::IAM::Role`s and their `AWS::IAM::Policy`s. */
export const ROLE_ACTIONS: readonly string[] = [
  'iam:AttachRolePolicy',
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:GetRole',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
  'iam:ListRoleTags',
  'iam:PutRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
];

/** What CloudFormation does with the stack's `AWS::IAM::InstanceProfile`s. */
export const INSTANCE_PROFILE_ACTIONS: readonly string[] = [
  'iam:AddRoleToInstanceProfile',
  'iam:CreateInstanceProfile',
  'iam:DeleteInstanceProfile',
  'iam:GetInstanceProfile',
  'iam:RemoveRoleFromInstanceProfile',
  'iam:TagInstanceProfile',
  'iam:UntagInstanceProfile',
];

/** Services whose service-linked roles a first deploy in an account may create. */
export const SERVICE_LINKED_ROLE_SERVICES: readonly string[] = [
  'ecs.amazonaws.com',
  'ecs.application-autoscaling.amazonaws.com',
  'elasticloadbalancing.amazonaws.com',
  'rds.amazonaws.com',
];

/** The managed policy's name: `<stack>-cfn-execution`. */
export function cloudFormationExecutionPolicyName(stackName: string): string {
  return `${stackName}-cfn-execution`;
}

/** The stack that holds it: `<stack>-cfn-execution-policy`. */
export function cloudFormationExecutionPolicyStackName(stackName: string): string {
  return `${stackName}-cfn-execution-policy`;
}

/** Where the policy applies. */
export interface ExecutionPolicyTarget {
  /** The environment stack's name: its roles are named `<stackName>-…`. */
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

/** The policy's statements for one environment stack. */
export function cloudFormationExecutionStatements(target: ExecutionPolicyTarget): iam.PolicyStatement[] {
  const { stackName, account, region, partition } = target;
  const iamArn = (resource: string) => `arn:${partition}:iam::${account}:${resource}`;
  const inRegion = { StringEquals: { 'aws:RequestedRegion': region } };
  return [
    new iam.PolicyStatement({
      sid: 'StackServices',
      actions: [...new Set(Object.values(STACK_SERVICES))].sort().map((prefix) => `${prefix}:*`),
      resources: ['*'],
      conditions: inRegion,
    }),
    new iam.PolicyStatement({
      sid: 'SupportingServices',
      actions: [...SUPPORTING_ACTIONS],
      resources: ['*'],
      conditions: inRegion,
    }),
    new iam.PolicyStatement({
      // Route 53 is global: no region to hold it to.
      sid: 'DnsRecords',
      actions: [...ROUTE53_ACTIONS],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'StackRoles',
      actions: [...ROLE_ACTIONS],
      resources: [iamArn(`role/${stackName}-*`)],
    }),
    new iam.PolicyStatement({
      sid: 'StackInstanceProfiles',
      actions: [...INSTANCE_PROFILE_ACTIONS],
      resources: [iamArn(`instance-profile/${stackName}-*`)],
    }),
    new iam.PolicyStatement({
      // Task, execution, flow log, instance and custom resource roles, given to their services.
      sid: 'PassStackRoles',
      actions: ['iam:PassRole'],
      resources: [iamArn(`role/${stackName}-*`)],
    }),
    new iam.PolicyStatement({
      sid: 'ServiceLinkedRoles',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [iamArn('role/aws-service-role/*')],
      conditions: { StringEquals: { 'iam:AWSServiceName': [...SERVICE_LINKED_ROLE_SERVICES] } },
    }),
  ];
}

/** Props of {@link CloudFormationExecutionPolicyStack}. */
export interface CloudFormationExecutionPolicyStackProps extends StackProps {
  /** The environment stack the policy deploys. */
  readonly environmentStackName: string;
  readonly account: string;
  readonly region: string;
  readonly projectName: string;
  readonly environmentName: string;
}

/** The managed policy of one environment, in the environment's account, deployable without a bootstrap. */
export class CloudFormationExecutionPolicyStack extends Stack {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: CloudFormationExecutionPolicyStackProps) {
    super(scope, id, {
      ...props,
      stackName: cloudFormationExecutionPolicyStackName(props.environmentStackName),
      env: { account: props.account, region: props.region },
      // No asset, no bootstrap version rule: it exists before the bootstrap does.
      synthesizer: new BootstraplessSynthesizer(),
      description: `Wheelhouse: the policy CloudFormation deploys ${props.environmentStackName} with (cdk bootstrap --cloudformation-execution-policies)`,
    });
    Tags.of(this).add(RESOURCE_TAGS.project, props.projectName);
    Tags.of(this).add(RESOURCE_TAGS.environment, props.environmentName);
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: cloudFormationExecutionPolicyName(props.environmentStackName),
      description: `CloudFormation's permissions to deploy ${props.environmentStackName}`,
      statements: cloudFormationExecutionStatements({
        stackName: props.environmentStackName,
        account: props.account,
        region: props.region,
        partition: this.partition,
      }),
    });
  }
}
