import { App, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Bastion } from '../../stacks/bastion/bastion';
import { Database } from '../../stacks/database';
import { Network, type NetworkProps } from '../../stacks/network';

function stack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
}

const NETWORK: NetworkProps = {
  cidr: '10.0.0.0/16',
  publicSubnets: [
    { az: 'eu-west-1a', cidr: '10.0.0.0/24' },
    { az: 'eu-west-1b', cidr: '10.0.1.0/24' },
  ],
  appSubnets: [
    { az: 'eu-west-1a', cidr: '10.0.16.0/20' },
    { az: 'eu-west-1b', cidr: '10.0.32.0/20' },
  ],
  dataSubnets: [
    { az: 'eu-west-1a', cidr: '10.0.48.0/24' },
    { az: 'eu-west-1b', cidr: '10.0.49.0/24' },
    { az: 'eu-west-1c', cidr: '10.0.50.0/24' },
  ],
  natGateways: 1,
  publicIngressPorts: [80],
  servicePorts: [8080],
  sshCidrs: [],
  databasePort: 5432,
  flowLogRetentionDays: 7,
};

describe('constructs refuse bad props at synth time', () => {
  it('fails when the network gets two data subnets', () => {
    expect(
      () => new Network(stack(), 'Network', { ...NETWORK, dataSubnets: NETWORK.dataSubnets.slice(0, 2) }),
    ).toThrow('Network needs 2 public, 2 app and 3 data subnets, got 2, 2 and 2');
  });

  it('fails when the writer and reader share a zone', () => {
    const s = stack();
    const network = new Network(s, 'Network', NETWORK);
    expect(
      () =>
        new Database(s, 'Database', {
          vpc: network.vpc,
          subnets: network.dataSubnets,
          writerAz: 'eu-west-1a',
          readerAz: 'eu-west-1a',
          engineVersion: '16.6',
          databaseName: 'app',
          minCapacity: 0.5,
          maxCapacity: 2,
          deletionProtection: false,
          backupRetentionDays: 1,
          clusterIdentifier: 'test',
        }),
    ).toThrow('Database writer and reader must be in different zones, got eu-west-1a twice');
  });

  it('fails when the keys path is not a folder', () => {
    const s = stack();
    const network = new Network(s, 'Network', NETWORK);
    expect(
      () =>
        new Bastion(s, 'Bastion', {
          vpc: network.vpc,
          subnet: network.publicSubnets[0] as ec2.ISubnet,
          instanceType: 't4g.nano',
          allowedSshCidrs: [],
          tunnelUser: 'tunnel',
          keysParameterPath: '/wheelhouse/dev/keys',
          permitOpen: ['db:5432'],
          ami: 'ami-0123456789abcdef0',
          hostKeysParameterName: '/wheelhouse/dev/bastion/host-keys',
        }),
    ).toThrow('Bastion keysParameterPath must start and end with /, got /wheelhouse/dev/keys');
  });
});
