/**
 * The environment's operator role: what the bot's commands and CI's deploy path do in the
 * environment, and nothing else. Assumed from the tools account by the bot's task role and this
 * environment's CI deploy role only (never another environment's); each grant below names the op that
 * makes the call.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { RESOURCE_TAGS } from '../config';
import { assumableByRoles, trustActorSessions } from './delivery-targets';
import { nagWildcardId } from './nag-ids';

/** Props of {@link OperatorRole}. */
export interface OperatorRoleProps {
  /** A fixed name, `<stack>-operator`, that the tools account's policies name. */
  readonly roleName: string;
  /** The tools account, where the bot and CI run. */
  readonly trustedAccount: string;
  /** Roles in the tools account that may assume this one (the bot's task role, this environment's CI deploy role). */
  readonly trustedRoleNames: readonly string[];
  /** The environment's stack name (its outputs are the bot's map of the environment). */
  readonly stackName: string;
  /** ARN of the deploy-state table (lock, approvals, history, sign-offs). */
  readonly deployStateTableArn: string;
  /** ARN of the ECS service. */
  readonly serviceArn: string;
  /** ARN of the Aurora cluster. */
  readonly databaseClusterArn: string;
  /** SSM path of the bastion keys, ending with `/`. */
  readonly keysParameterPath: string;
  /** SSM parameter where the bastion publishes its host keys (read only: the bastion writes it). */
  readonly hostKeysParameterName: string;
  /** Secrets Manager name of the PagerDuty routing key, or null where paging is off. */
  readonly pagerDutyRoutingKeySecretName: string | null;
  /** The environment's name: the value of the `wheelhouse:environment` tag on its scalable target. */
  readonly environmentName: string;
}

/**
 * Actions that accept no resource but `*`, each with the op that calls it (Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsapplicationautoscaling.html and
 * list_amazonelasticcontainerservice.html: no resource type for these actions).
 */
export const OPERATOR_UNSCOPED_ACTIONS: Readonly<Record<string, string>> = {
  'ecs:DescribeTaskDefinition': "/status reads the running image from the service's task definition",
  'application-autoscaling:DescribeScalableTargets': '/status and /scale read the live autoscaling bounds',
  // ELBv2's Describe* actions have no resource-level permissions (Service Authorization Reference,
  // "Actions defined by Elastic Load Balancing V2": DescribeTargetHealth lists no resource type).
  'elasticloadbalancing:DescribeTargetHealth':
    "the deploy's health check reads the load balancer's view of the new tasks (deploy/target-health.ts)",
  // ListTasks is authorized on container instances (with an ecs:cluster condition), never on a service.
  'ecs:ListTasks': "the deploy's health check lists the service's running tasks to find the new ones",
};

/**
 * What `/scale <min>-<max>` calls on the service's scalable target. Its ARN ends with a random id that
 * CloudFormation does not return (`scalable-target/<id>`, Service Authorization Reference above), so the
 * statement names every scalable target of this account and region, and only those tagged with this
 * stack's environment (`aws:ResourceTag`, "ABAC with Application Auto Scaling",
 * https://docs.aws.amazon.com/autoscaling/application/userguide/security_iam_service-with-iam.html#security_iam_service-with-iam-tags):
 * the stack tags its scalable target so.
 */
export const OPERATOR_SCALING_ACTIONS: readonly string[] = ['application-autoscaling:RegisterScalableTarget'];

/** The operator role of one environment. */
export class OperatorRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: OperatorRoleProps) {
    super(scope, id);
    if (props.trustedRoleNames.length === 0) {
      throw new Error(`OperatorRole ${props.roleName} needs at least one trusted role name, got none`);
    }
    const { partition, region, account } = Stack.of(this);
    const arn = (service: string, resource: string) =>
      `arn:${partition}:${service}:${region}:${account}:${resource}`;
    // The stack's id follows its name in its ARN; the keys are parameters under one path.
    const stackArn = arn('cloudformation', `stack/${props.stackName}/*`);
    // A task's ARN carries the cluster's name and a random id: tasks of this account and region.
    const tasksArn = arn('ecs', 'task/*');
    const keysPath = props.keysParameterPath.replace(/\/$/, '');
    const keysArns = [arn('ssm', `parameter${keysPath}`), arn('ssm', `parameter${keysPath}/*`)];
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `Assumed by the Wheelhouse bot and CI to operate ${props.stackName}`,
      assumedBy: assumableByRoles(this, props.trustedAccount, props.trustedRoleNames),
    });
    trustActorSessions(this.role, props.trustedAccount, props.trustedRoleNames);

    const statements: { readonly sid: string; readonly actions: string[]; readonly resources: string[] }[] = [
      {
        // stack-outputs.ts: every command finds the environment's resources in its outputs.
        sid: 'ReadStackOutputs',
        actions: ['cloudformation:DescribeStacks'],
        resources: [stackArn],
      },
      {
        // deploy/deploy-state.ts: the lock, approvals, history and sign-offs.
        sid: 'DeployState',
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
        ],
        resources: [props.deployStateTableArn],
      },
      {
        // service-status.ts, scale.ts, deploy/rollout-watch.ts.
        sid: 'Service',
        actions: ['ecs:DescribeServices', 'ecs:ListServiceDeployments', 'ecs:UpdateService'],
        resources: [props.serviceArn],
      },
      {
        // deploy/target-health.ts: the new tasks' task definition and private IPs (their target ids).
        sid: 'Tasks',
        actions: ['ecs:DescribeTasks'],
        resources: [tasksArn],
      },
      {
        sid: 'Unscoped',
        actions: Object.keys(OPERATOR_UNSCOPED_ACTIONS),
        resources: ['*'],
      },
      {
        // service-status.ts: the Aurora cluster's status and members.
        sid: 'Database',
        actions: ['rds:DescribeDBClusters'],
        resources: [props.databaseClusterArn],
      },
      {
        // bastion-keys.ts: one parameter per key under the keys path (PutParameter with tags needs AddTagsToResource).
        sid: 'BastionKeys',
        actions: [
          'ssm:GetParametersByPath',
          'ssm:GetParameter',
          'ssm:PutParameter',
          'ssm:AddTagsToResource',
          'ssm:DeleteParameter',
        ],
        resources: keysArns,
      },
      {
        // tunnel.ts: /tunnel shows the bastion's host key fingerprints; only the bastion writes them.
        sid: 'BastionHostKeys',
        actions: ['ssm:GetParameter'],
        resources: [arn('ssm', `parameter${props.hostKeysParameterName}`)],
      },
    ];
    if (props.pagerDutyRoutingKeySecretName) {
      statements.push({
        // pagerduty-paging.ts: /page reads the routing key.
        sid: 'PagerDutyRoutingKey',
        actions: ['secretsmanager:GetSecretValue'],
        // Secrets Manager appends six random characters to a secret's name in its ARN.
        resources: [arn('secretsmanager', `secret:${props.pagerDutyRoutingKeySecretName}-??????`)],
      });
    }
    for (const s of statements) {
      this.role.addToPolicy(
        new iam.PolicyStatement({ sid: s.sid, actions: s.actions, resources: s.resources }),
      );
    }
    // scale.ts: /scale <min>-<max>, on this environment's scalable target only.
    const scalableTargets = arn('application-autoscaling', 'scalable-target/*');
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ScalableTarget',
        actions: [...OPERATOR_SCALING_ACTIONS],
        resources: [scalableTargets],
        conditions: {
          StringEquals: { [`aws:ResourceTag/${RESOURCE_TAGS.environment}`]: props.environmentName },
        },
      }),
    );

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: `Only actions without resource-level permissions: ${Object.entries(OPERATOR_UNSCOPED_ACTIONS)
        .map(([action, why]) => `${action} (${why})`)
        .join('; ')}.`,
    });
    const nagId = (resource: string) => nagWildcardId(this, resource);
    Validations.of(this.role).acknowledge({
      id: nagId(stackArn),
      reason: `DescribeStacks of ${props.stackName} only: its ARN ends with an id CloudFormation assigns.`,
    });
    Validations.of(this.role).acknowledge({
      id: nagId(scalableTargets),
      reason: `RegisterScalableTarget on scalable targets tagged ${RESOURCE_TAGS.environment}=${props.environmentName} only: their ARNs end with an id Application Auto Scaling assigns.`,
    });
    Validations.of(this.role).acknowledge({
      id: nagId(tasksArn),
      reason: "DescribeTasks only: a task's ARN ends with an id ECS assigns when it starts the task.",
    });
    Validations.of(this.role).acknowledge({
      id: nagId(keysArns[1]!),
      reason:
        "Each bastion key is its own parameter under the environment's keys path; nothing else is reachable.",
    });
  }
}
