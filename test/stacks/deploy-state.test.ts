import { exampleConfig } from '../support/example-config';
import { synthTemplates } from '../support/synth';

describe('DeployState', () => {
  const templates = synthTemplates(exampleConfig());

  it('keeps locks, approvals and history in a DynamoDB table named after the stack, with expiry', () => {
    templates.dev!.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'wheelhouse-dev-deploy-state',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('retains the table and its history in a protected environment only', () => {
    templates.prod!.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
    templates.dev!.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
  });
});
