import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DatadogIntegrationRole } from '../../../stacks/datadog';

process.env.CDK_VALIDATION = 'false';

function roleTemplate(props: ConstructorParameters<typeof DatadogIntegrationRole>[2]): Template {
  const stack = new Stack(new App(), 'Test');
  new DatadogIntegrationRole(stack, 'DatadogIntegration', props);
  return Template.fromStack(stack);
}

describe('DatadogIntegrationRole', () => {
  it.each([
    ['datadoghq.com', '464622532012'],
    ['datadoghq.eu', '464622532012'],
    ['ddog-gov.com', '065115117704'],
  ])('on %s trusts Datadog account %s with the external id only', (site, account) => {
    // WHEN the role is created for a site
    const template = roleTemplate({ externalId: 'example-external-id-prod', site });
    // THEN only Datadog's account, presenting the external id, may assume it
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'DatadogIntegrationRole',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Condition: { StringEquals: { 'sts:ExternalId': 'example-external-id-prod' } },
            Principal: { AWS: { 'Fn::Join': ['', Match.arrayWith([`:iam::${account}:root`])] } },
          },
        ],
      },
    });
  });

  it('can read metrics, tags and the resources the stack runs, and change nothing', () => {
    const template = roleTemplate({ externalId: 'example-external-id-prod' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: Match.arrayWith([
              'cloudwatch:Get*',
              'ecs:Describe*',
              'rds:Describe*',
              'tag:GetResources',
            ]),
            Resource: '*',
          }),
        ],
      },
    });
    const actions = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(actions).not.toMatch(/:(Put|Create|Delete|Update|Modify)/);
  });

  it('fails when the external id is not one', () => {
    expect(() => roleTemplate({ externalId: 'short' })).toThrow(
      /DatadogIntegrationRole externalId must be the external id from Datadog's AWS integration page \(at least 8 characters\), got "short"/,
    );
  });
});
