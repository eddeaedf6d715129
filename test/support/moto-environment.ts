/**
 * An environment as its stack leaves it, in moto_server: the stack's outputs, the ECS cluster and
 * service on a task definition, its scalable target and the deploy-state table. `/status` and
 * `wheelhouse status` read it the way they read AWS.
 */
import { deployStateTableName, type EnvironmentConfig, STACK_OUTPUTS } from '../../config';
import { TEST_CREDENTIALS } from './aws-fakes';

/**
 * Creates what `environment`'s stack would have created, running image tag `version`, in moto at `endpoint`,
 * in the account of `credentials` (moto puts what a role's session creates in the role's account).
 */
export async function seedDeployedEnvironment(
  endpoint: string,
  environment: EnvironmentConfig,
  version: string,
  credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  } = TEST_CREDENTIALS,
): Promise<void> {
  const { region, name } = environment;
  const cluster = `wheelhouse-${name}`;
  const service = `wheelhouse-${name}-service`;
  const clientConfig = { region, endpoint, credentials };
  const ecsSdk = await import('@aws-sdk/client-ecs');
  const ecs = new ecsSdk.ECSClient(clientConfig);
  await ecs.send(new ecsSdk.CreateClusterCommand({ clusterName: cluster }));
  const image = `111111111111.dkr.ecr.${region}.amazonaws.com/${environment.images.repositoryName}:${version}`;
  const registered = await ecs.send(
    new ecsSdk.RegisterTaskDefinitionCommand({
      family: cluster,
      containerDefinitions: [{ name: 'service', image, memory: 512 }],
    }),
  );
  await ecs.send(
    new ecsSdk.CreateServiceCommand({
      cluster,
      serviceName: service,
      taskDefinition: registered.taskDefinition?.taskDefinitionArn,
      desiredCount: 2,
    }),
  );
  const scalingSdk = await import('@aws-sdk/client-application-auto-scaling');
  await new scalingSdk.ApplicationAutoScalingClient(clientConfig).send(
    new scalingSdk.RegisterScalableTargetCommand({
      ServiceNamespace: 'ecs',
      ResourceId: `service/${cluster}/${service}`,
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 1,
      MaxCapacity: 4,
    }),
  );
  const ddb = await import('@aws-sdk/client-dynamodb');
  await new ddb.DynamoDBClient(clientConfig).send(
    new ddb.CreateTableCommand({
      TableName: deployStateTableName(environment),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const cfn = await import('@aws-sdk/client-cloudformation');
  const output = (key: string, value: string) => ({ [key]: { Value: value } });
  await new cfn.CloudFormationClient(clientConfig).send(
    new cfn.CreateStackCommand({
      StackName: environment.stackName,
      TemplateBody: JSON.stringify({
        Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
        Outputs: {
          ...output(STACK_OUTPUTS.clusterName, cluster),
          ...output(STACK_OUTPUTS.serviceName, service),
          ...output(STACK_OUTPUTS.imageTag, version),
        },
      }),
    }),
  );
}
