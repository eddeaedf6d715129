/**
 * The deploy's marks on the images an environment references, against moto's ECR: PutImage with the
 * manifest BatchGetImage returned adds a tag to the same image
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-retag.html), in an immutable repository too.
 */
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { AwsClients } from '../../ops/aws-clients';
import { deployedImageTag, markDeployedImages } from '../../ops/deploy/deployed-image-marks';
import { exampleConfig } from '../support/example-config';
import { type MotoServer, startMotoServer } from '../support/moto-server';

const CREDENTIALS = { accessKeyId: 'AKIDTESTTESTTEST', secretAccessKey: 'test-secret' };
const config = exampleConfig();
const stage = config.environments.find((e) => e.name === 'stage')!;

function manifest(n: number): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 100 + n,
      digest: `sha256:${String(n).padStart(64, '0')}`,
    },
    layers: [],
  });
}

describe('markDeployedImages', () => {
  let moto: MotoServer;
  let ecr: ECRClient;
  let aws: AwsClients;
  beforeAll(async () => {
    moto = await startMotoServer();
  }, 30_000);
  afterAll(() => moto.stop());
  beforeEach(async () => {
    await moto.reset();
    ecr = new ECRClient({
      endpoint: moto.endpoint,
      region: config.registry.region,
      credentials: CREDENTIALS,
    });
    aws = new AwsClients({ credentials: CREDENTIALS, maxAttempts: 1, endpoint: moto.endpoint });
    await ecr.send(
      new CreateRepositoryCommand({
        registryId: config.registry.account,
        repositoryName: stage.images.repositoryName,
        imageTagMutability: 'IMMUTABLE',
      }),
    );
    for (const [n, tag] of [
      [1, 'src-aaaa'],
      [2, 'src-bbbb'],
    ] as const) {
      await ecr.send(
        new PutImageCommand({
          repositoryName: stage.images.repositoryName,
          imageManifest: manifest(n),
          imageTag: tag,
        }),
      );
    }
  });
  afterEach(async () => {
    ecr.destroy();
    await aws.destroy();
  });

  async function tagsOf(tag: string): Promise<string[]> {
    const described = await ecr.send(
      new DescribeImagesCommand({
        registryId: config.registry.account,
        repositoryName: stage.images.repositoryName,
        imageIds: [{ imageTag: tag }],
      }),
    );
    return [...(described.imageDetails?.[0]?.imageTags ?? [])].sort();
  }

  it('adds deployed-<env>-<tag> to the deployed and the replaced image, nothing else', async () => {
    // WHEN
    const marks = await markDeployedImages(aws, config, stage, ['src-bbbb', 'src-aaaa']);

    // THEN
    expect(marks).toEqual(['deployed-stage-src-bbbb', 'deployed-stage-src-aaaa']);
    expect(await tagsOf('src-aaaa')).toEqual(['deployed-stage-src-aaaa', 'src-aaaa']);
    expect(await tagsOf('src-bbbb')).toEqual(['deployed-stage-src-bbbb', 'src-bbbb']);
  });

  it('is a no-op for an image marked before (the next deploy marks its previous one again)', async () => {
    await markDeployedImages(aws, config, stage, ['src-aaaa']);
    await expect(markDeployedImages(aws, config, stage, ['src-aaaa'])).resolves.toEqual([
      'deployed-stage-src-aaaa',
    ]);
    expect(await tagsOf('src-aaaa')).toEqual(['deployed-stage-src-aaaa', 'src-aaaa']);
  });

  it('fails naming the tag when the image is not there', async () => {
    await expect(markDeployedImages(aws, config, stage, ['src-none'])).rejects.toThrow(
      `cannot read image src-none in ${stage.images.repositoryName}: ImageNotFound`,
    );
  });

  it('keeps a mark within ECR’s 128 characters for a long tag', () => {
    const long = `a${'b'.repeat(127)}`;
    const mark = deployedImageTag('stage', long);
    expect(mark).toMatch(/^deployed-stage-sha256-[0-9a-f]{32}$/);
    expect(deployedImageTag('stage', 'v1.2.3')).toBe('deployed-stage-v1.2.3');
  });
});
