/**
 * cdk-nag finding ids for acknowledgements. cdk-nag names a resource by its rendered ARN, writing the
 * partition as `<AWS::Partition>` when it is `{Ref: AWS::Partition}`; with the feature flag
 * `@aws-cdk/core:enablePartitionLiterals` a stack in a known region renders the literal (`aws`) instead.
 */
import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** `resource` as cdk-nag names it in `scope`'s stack. */
export function nagResource(scope: IConstruct, resource: string): string {
  const { partition } = Stack.of(scope);
  return Token.isUnresolved(partition) ? resource.replaceAll(partition, '<AWS::Partition>') : resource;
}

/** The id of an AwsSolutions-IAM5 (wildcard) finding on `resource`. */
export function nagWildcardId(scope: IConstruct, resource: string): string {
  return `AwsSolutions::AwsSolutions-IAM5[Resource::${nagResource(scope, resource)}]`;
}
