/**
 * The environment's deploy state in DynamoDB: the deploy lock, pending approvals and deploy history.
 * It lives in AWS, not in the bot's memory, so that two bot replicas (and CI) agree on who is deploying.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Props of {@link DeployState}. */
export interface DeployStateProps {
  /** A stable table name, e.g. `wheelhouse-prod-deploy-state`. */
  readonly tableName: string;
  /** Keep the table (and its history) when the stack is deleted. */
  readonly retain: boolean;
}

/** One table keyed by `pk`/`sk`; expired locks and approvals are removed by DynamoDB's TTL on `ttl`. */
export class DeployState extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: DeployStateProps) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: 'ttl',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
