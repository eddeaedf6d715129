/**
 * The readers behind the deploy's health check, against moto_server where it can answer and
 * against AWS's documented response shapes where it cannot.
 *
 * - DescribeTargetHealth: ELB API Reference,
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html
 *   and TargetHealth (states initial, healthy, unhealthy, unused, draining, unavailable; reason codes),
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html.
 *   moto 5.2.1 answers it over the real (query/XML) protocol; it runs no health checks, so every
 *   registered target is `healthy` there: the other states come from the reference's shapes.
 * - DescribeServices' deployment rolloutState (IN_PROGRESS, COMPLETED, FAILED): ECS API Reference,
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html. moto reports a new
 *   service's deployment IN_PROGRESS (and never completes it).
 * - DescribeTasks with an awsvpc task's ElasticNetworkInterface attachment: ECS API Reference,
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html. moto 5.2.1
 *   crashes starting an awsvpc task (AttributeError 'private_dns_name'), so that shape is mocked.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsClients } from '../../ops/aws-clients';
import {
  newTasksHealthy,
  readPrimaryDeployment,
  readServiceTasks,
  readTargetHealth,
  type TargetState,
} from '../../ops/deploy/target-health';
import { TEST_CREDENTIALS, UNREACHABLE_AWS_ENDPOINT } from '../support/aws-fakes';

const INSTALL_MOTO = 'pip install "moto[server]"';
const environment = { account: '123456789012', region: 'eu-west-1', stackName: 'wheelhouse-dev' };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Seeds moto with boto3 (an SDK of its own): a VPC, an IP target group with two targets, an ECS service. */
const SEED = `
import boto3, json, sys
kw = dict(region_name='eu-west-1', endpoint_url=sys.argv[1], aws_access_key_id='x', aws_secret_access_key='x')
ec2 = boto3.client('ec2', **kw); elb = boto3.client('elbv2', **kw); ecs = boto3.client('ecs', **kw)
vpc = ec2.create_vpc(CidrBlock='10.0.0.0/16')['Vpc']['VpcId']
sn = ec2.create_subnet(VpcId=vpc, CidrBlock='10.0.1.0/24', AvailabilityZone='eu-west-1a')['Subnet']['SubnetId']
sg = ec2.create_security_group(GroupName='svc', Description='svc', VpcId=vpc)['GroupId']
tg = elb.create_target_group(Name='wheelhouse-dev-http', Protocol='HTTP', Port=8080, VpcId=vpc, TargetType='ip')['TargetGroups'][0]['TargetGroupArn']
elb.register_targets(TargetGroupArn=tg, Targets=[{'Id': '10.0.1.5', 'Port': 8080}, {'Id': '10.0.1.6', 'Port': 8080}])
ecs.create_cluster(clusterName='wheelhouse-dev')
td = ecs.register_task_definition(family='wheelhouse-service', networkMode='awsvpc', requiresCompatibilities=['FARGATE'], cpu='256', memory='512',
  containerDefinitions=[{'name': 'service', 'image': 'x', 'memory': 512, 'cpu': 256}])['taskDefinition']['taskDefinitionArn']
ecs.create_service(cluster='wheelhouse-dev', serviceName='wheelhouse-dev-service', taskDefinition=td, desiredCount=2, launchType='FARGATE',
  networkConfiguration={'awsvpcConfiguration': {'subnets': [sn], 'securityGroups': [sg]}})
print(json.dumps({'targetGroupArn': tg, 'taskDefinition': td}))
`;

describe('target health and rollout readers', () => {
  describe('against moto_server', () => {
    let moto: ChildProcess;
    let endpoint: string;
    let seeded: { targetGroupArn: string; taskDefinition: string };
    let aws: AwsClients;

    beforeAll(async () => {
      try {
        execFileSync('moto_server', ['--help'], { stdio: 'pipe' });
      } catch {
        throw new Error(`These tests need moto_server: ${INSTALL_MOTO}`);
      }
      const port = await freePort();
      endpoint = `http://127.0.0.1:${port}`;
      moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      for (let i = 0; ; i++) {
        try {
          await fetch(`${endpoint}/moto-api/`);
          break;
        } catch (error) {
          if (i > 200) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      seeded = JSON.parse(execFileSync('python3', ['-c', SEED, endpoint], { encoding: 'utf8' }));
      aws = new AwsClients({ credentials: TEST_CREDENTIALS, maxAttempts: 1, endpoint });
    }, 60_000);

    afterAll(async () => {
      await aws?.destroy();
      moto?.kill();
    });

    it("reads each registered target's id, port and state", async () => {
      const targets = await readTargetHealth(aws, environment, seeded.targetGroupArn);
      expect(targets).toEqual([
        { id: '10.0.1.5', port: 8080, state: 'healthy', reason: null },
        { id: '10.0.1.6', port: 8080, state: 'healthy', reason: null },
      ]);
      expect(newTasksHealthy(targets, ['10.0.1.5', '10.0.1.6'])).toEqual({
        healthy: true,
        detail: '10.0.1.5 healthy, 10.0.1.6 healthy',
      });
    });

    it("reads the PRIMARY deployment's task definition and rollout state", async () => {
      await expect(
        readPrimaryDeployment(aws, {
          environment,
          cluster: 'wheelhouse-dev',
          service: 'wheelhouse-dev-service',
        }),
      ).resolves.toMatchObject({
        taskDefinition: seeded.taskDefinition,
        rolloutState: 'IN_PROGRESS',
        desiredCount: 2,
        others: 0,
      });
    });
  });

  describe("against the API references' shapes", () => {
    const at = (id: string, state: string, reason: string | null = null): TargetState => ({
      id,
      port: 8080,
      state,
      reason,
    });

    it.each([
      ['initial', 'Elb.InitialHealthChecking'],
      ['unhealthy', 'Target.ResponseCodeMismatch'],
      ['draining', 'Target.DeregistrationInProgress'],
      ['unused', 'Target.NotInUse'],
      ['unavailable', 'Elb.InternalError'],
    ])('a new task %s (%s) is not healthy', (state, reason) => {
      expect(
        newTasksHealthy([at('10.0.1.5', 'healthy'), at('10.0.1.6', state, reason)], ['10.0.1.5', '10.0.1.6']),
      ).toEqual({
        healthy: false,
        detail: `10.0.1.5 healthy, 10.0.1.6 ${state} (${reason})`,
      });
    });

    it('ignores the old tasks (draining) and requires every new task to be registered', () => {
      const targets = [
        at('10.0.9.1', 'draining', 'Target.DeregistrationInProgress'),
        at('10.0.1.5', 'healthy'),
      ];
      expect(newTasksHealthy(targets, ['10.0.1.5']).healthy).toBe(true);
      expect(newTasksHealthy(targets, ['10.0.1.5', '10.0.1.7'])).toEqual({
        healthy: false,
        detail: '10.0.1.5 healthy, 10.0.1.7 not registered',
      });
      expect(newTasksHealthy(targets, [])).toEqual({ healthy: false, detail: 'no new task to look for' });
    });

    it("reads the running tasks' task definitions and private IPs from their network interface attachment", async () => {
      const ecs = mockClient(ECSClient);
      const aws = new AwsClients({
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
        endpoint: UNREACHABLE_AWS_ENDPOINT,
      });
      try {
        ecs
          .on(ListTasksCommand)
          .resolves({ taskArns: ['arn:aws:ecs:eu-west-1:123456789012:task/wheelhouse-dev/a1'] });
        ecs.on(DescribeTasksCommand).resolves({
          tasks: [
            {
              taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/wheelhouse-dev/a1',
              taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/wheelhouse-service:7',
              lastStatus: 'RUNNING',
              attachments: [
                {
                  id: 'att-1',
                  type: 'ElasticNetworkInterface',
                  status: 'ATTACHED',
                  details: [
                    { name: 'subnetId', value: 'subnet-0123' },
                    { name: 'networkInterfaceId', value: 'eni-0123' },
                    { name: 'macAddress', value: '0a:00:00:00:00:01' },
                    { name: 'privateDnsName', value: 'ip-10-0-1-5.eu-west-1.compute.internal' },
                    { name: 'privateIPv4Address', value: '10.0.1.5' },
                  ],
                },
              ],
            },
          ],
        });
        await expect(
          readServiceTasks(aws, {
            environment,
            cluster: 'wheelhouse-dev',
            service: 'wheelhouse-dev-service',
          }),
        ).resolves.toEqual([
          {
            taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/wheelhouse-dev/a1',
            taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/wheelhouse-service:7',
            privateIp: '10.0.1.5',
          },
        ]);
        expect(ecs.commandCalls(ListTasksCommand)[0]!.args[0].input).toEqual({
          cluster: 'wheelhouse-dev',
          serviceName: 'wheelhouse-dev-service',
          desiredStatus: 'RUNNING',
        });
      } finally {
        ecs.restore();
        await aws.destroy();
      }
    });
  });
});
