import { Match } from 'aws-cdk-lib/assertions';
import { exampleConfig } from '../support/example-config';
import { synthTemplates } from '../support/synth';

describe('Database', () => {
  const templates = synthTemplates(exampleConfig());
  const dev = templates.dev!;
  const prod = templates.prod!;

  it('is Aurora PostgreSQL Serverless v2 with the configured capacity per environment', () => {
    dev.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EngineVersion: '16.6',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 2 },
    });
    prod.hasResourceProperties('AWS::RDS::DBCluster', {
      ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 32 },
    });
  });

  it('has a writer and a reader in different zones', () => {
    const instances = Object.values(prod.findResources('AWS::RDS::DBInstance')) as {
      Properties: Record<string, unknown>;
    }[];
    expect(instances.map((i) => i.Properties.DBInstanceClass)).toEqual(['db.serverless', 'db.serverless']);
    expect(instances.map((i) => i.Properties.AvailabilityZone).sort()).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(instances.every((i) => i.Properties.PubliclyAccessible === false)).toBe(true);
  });

  it('spreads its subnet group over the three data subnets', () => {
    prod.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: [
        { Ref: Match.stringLikeRegexp('NetworkData1') },
        { Ref: Match.stringLikeRegexp('NetworkData2') },
        { Ref: Match.stringLikeRegexp('NetworkData3') },
      ],
    });
  });

  it('generates its credentials into Secrets Manager, encrypts storage and allows IAM auth', () => {
    prod.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"wheelhouse_admin"}' }),
    });
    prod.hasResourceProperties('AWS::RDS::DBCluster', {
      StorageEncrypted: true,
      EnableIAMDatabaseAuthentication: true,
    });
  });

  it('protects prod from deletion and keeps its backups longer', () => {
    prod.hasResourceProperties('AWS::RDS::DBCluster', {
      DeletionProtection: true,
      BackupRetentionPeriod: 30,
    });
    prod.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
  });

  it('lets dev be deleted with short backups', () => {
    dev.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: false, BackupRetentionPeriod: 1 });
    dev.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Delete' });
  });

  it('accepts PostgreSQL from the service and the bastion only', () => {
    const ingress = Object.values(prod.findResources('AWS::EC2::SecurityGroupIngress')) as {
      Properties: Record<string, unknown>;
    }[];
    const toDb = ingress.filter((i) =>
      JSON.stringify(i.Properties.GroupId).includes('DatabaseSecurityGroup'),
    );
    expect(toDb.map((i) => i.Properties.FromPort)).toEqual([5432, 5432]);
    expect(
      toDb
        .map(
          (i) =>
            JSON.stringify(i.Properties.SourceSecurityGroupId).match(/(Service|Bastion)SecurityGroup/)?.[1],
        )
        .sort(),
    ).toEqual(['Bastion', 'Service']);
  });
});
