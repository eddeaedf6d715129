/**
 * The IAM role Datadog's AWS integration assumes to read CloudWatch metrics, resource tags and
 * events of the account, guarded by the integration's external id.
 */
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Datadog's AWS account that assumes integration roles, for commercial sites. */
export const DATADOG_AWS_ACCOUNT_ID = '464622532012';

/** Datadog's AWS account for the GovCloud sites (`ddog-gov.com`). */
export const DATADOG_GOV_AWS_ACCOUNT_ID = '065115117704';

/**
 * What the integration reads: metrics, tags and descriptions of the resources the stack runs
 * (load balancers, ECS, Aurora, EC2 and NAT gateways), CloudWatch Logs and AWS Health events.
 * A subset of Datadog's documented policy, limited to the services Wheelhouse uses.
 */
export const DATADOG_INTEGRATION_ACTIONS: readonly string[] = [
  'cloudwatch:Describe*',
  'cloudwatch:Get*',
  'cloudwatch:List*',
  'ec2:Describe*',
  'ecs:Describe*',
  'ecs:List*',
  'elasticloadbalancing:Describe*',
  'rds:Describe*',
  'rds:List*',
  'logs:DescribeLogGroups',
  'logs:DescribeLogStreams',
  'logs:DescribeSubscriptionFilters',
  'logs:FilterLogEvents',
  'logs:TestMetricFilter',
  'health:DescribeAffectedEntities',
  'health:DescribeEventDetails',
  'health:DescribeEvents',
  'tag:GetResources',
  'tag:GetTagKeys',
  'tag:GetTagValues',
  'autoscaling:Describe*',
  'application-autoscaling:Describe*',
];

/** Props of {@link DatadogIntegrationRole}. */
export interface DatadogIntegrationRoleProps {
  /** The external id Datadog shows when the AWS account is added (`datadog.externalId`). */
  readonly externalId: string;
  /**
   * The Datadog site, to pick the AWS account that assumes the role.
   *
   * @default 'datadoghq.com'
   */
  readonly site?: string;
  /**
   * A fixed role name, as entered in Datadog's AWS integration page.
   *
   * @default 'DatadogIntegrationRole'
   */
  readonly roleName?: string;
}

/** The role for Datadog's AWS integration. */
export class DatadogIntegrationRole extends Construct {
  /** The role; give its ARN to Datadog. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DatadogIntegrationRoleProps) {
    super(scope, id);
    if (props.externalId.trim().length < 8) {
      throw new Error(
        `DatadogIntegrationRole externalId must be the external id from Datadog's AWS integration page (at least 8 characters), got "${props.externalId}"`,
      );
    }
    const site = props.site ?? 'datadoghq.com';
    const datadogAccount = site.endsWith('ddog-gov.com')
      ? DATADOG_GOV_AWS_ACCOUNT_ID
      : DATADOG_AWS_ACCOUNT_ID;
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName ?? 'DatadogIntegrationRole',
      description: "Assumed by Datadog's AWS integration to read metrics, tags and events",
      assumedBy: new iam.AccountPrincipal(datadogAccount),
      externalIds: [props.externalId],
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: [...DATADOG_INTEGRATION_ACTIONS], resources: ['*'] }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Read-only describe/list actions across the account: the integration discovers resources by tag.',
    });
    // Datadog's documented integration policy uses read-only wildcards (Describe*, List*, Get*).
    for (const action of DATADOG_INTEGRATION_ACTIONS.filter((a) => a.endsWith('*'))) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
        reason: `${action} is read-only; Datadog's documented integration policy grants it so new metrics need no policy change.`,
      });
    }
  }
}
