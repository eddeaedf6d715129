/** Aurora PostgreSQL Serverless v2: a writer and a reader in different zones over the three data subnets. */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';

/** Props of {@link Database}. */
export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  /** The three isolated data subnets. */
  readonly subnets: ec2.ISubnet[];
  /** Zone of the writer; the reader goes to `readerAz`. */
  readonly writerAz: string;
  readonly readerAz: string;
  /** Aurora PostgreSQL version, e.g. `16.6`. */
  readonly engineVersion: string;
  readonly databaseName: string;
  /** Serverless v2 capacity bounds in ACUs. */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly deletionProtection: boolean;
  readonly backupRetentionDays: number;
  /** A stable cluster identifier, e.g. `wheelhouse-prod`. */
  readonly clusterIdentifier: string;
}

/** The database port (PostgreSQL's). */
export const DATABASE_PORT = 5432;

/** Aurora PostgreSQL's parameter that refuses connections without TLS when `1`. */
export const FORCE_SSL_PARAMETER = 'rds.force_ssl';

/** The Aurora cluster, its generated credentials and its security group. */
export class Database extends Construct {
  readonly cluster: rds.DatabaseCluster;
  /** The cluster's parameter group: TLS required. */
  readonly parameterGroup: rds.ParameterGroup;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    if (props.writerAz === props.readerAz)
      throw new Error(`Database writer and reader must be in different zones, got ${props.writerAz} twice`);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Aurora: PostgreSQL from the service and the bastion only',
      allowAllOutbound: false,
    });
    const [major] = props.engineVersion.split('.');
    const engine = rds.DatabaseClusterEngine.auroraPostgres({
      version: rds.AuroraPostgresEngineVersion.of(props.engineVersion, major ?? props.engineVersion),
    });
    // The default cluster parameter group has rds.force_ssl 0, so a client may connect in plaintext. With 1,
    // the server accepts TLS connections only (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html#AuroraPostgreSQL.Security.SSL);
    // the service connects with DATABASE_SSL=verify-full and the RDS CA bundle (service/Dockerfile).
    this.parameterGroup = new rds.ParameterGroup(this, 'ClusterParameters', {
      engine,
      description: `${props.clusterIdentifier}: TLS required (rds.force_ssl)`,
      parameters: { [FORCE_SSL_PARAMETER]: '1' },
    });
    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      clusterIdentifier: props.clusterIdentifier,
      engine,
      parameterGroup: this.parameterGroup,
      credentials: rds.Credentials.fromGeneratedSecret('wheelhouse_admin', {
        secretName: `${props.clusterIdentifier}/database`,
      }),
      defaultDatabaseName: props.databaseName,
      port: DATABASE_PORT,
      vpc: props.vpc,
      vpcSubnets: { subnets: props.subnets },
      securityGroups: [this.securityGroup],
      serverlessV2MinCapacity: props.minCapacity,
      serverlessV2MaxCapacity: props.maxCapacity,
      writer: rds.ClusterInstance.serverlessV2('Writer', {
        availabilityZone: props.writerAz,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
      }),
      readers: [
        rds.ClusterInstance.serverlessV2('Reader', {
          availabilityZone: props.readerAz,
          // Same failover tier as the writer and scaled with it, so a promoted reader can carry the load at once.
          scaleWithWriter: true,
          publiclyAccessible: false,
          autoMinorVersionUpgrade: true,
        }),
      ],
      storageEncrypted: true,
      iamAuthentication: true,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      backup: { retention: Duration.days(props.backupRetentionDays), preferredWindow: '02:00-03:00' },
      preferredMaintenanceWindow: 'Sun:03:30-Sun:04:30',
      cloudwatchLogsExports: ['postgresql'],
      enablePerformanceInsights: true,
      copyTagsToSnapshot: true,
    });
    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'The service reads the password at task start; rotating it under running tasks would break new connections. Rotate with a redeploy, or move to IAM auth tokens (enabled on the cluster).',
    });
    if (!props.deletionProtection) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions::AwsSolutions-RDS10',
        reason:
          'Deletion protection is on in protected environments; this one is configured as disposable (database.deletionProtection: false).',
      });
    }
  }
}
