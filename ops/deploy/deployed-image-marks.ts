/**
 * Marks the images an environment's stack references, so that the repository's lifecycle never expires
 * them: the tag `deployed-<env>-<tag>` on the same manifest (ECR's documented way to add a tag: PutImage
 * with the manifest BatchGetImage returned, https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-retag.html).
 * A lifecycle policy cannot read a stack's `ImageTag`, but it can keep every image with a tag of a pattern,
 * `deployed-*` (stacks/ci/image-repository.ts). Tags are immutable in these repositories, so a mark is
 * never moved nor removed: every image any environment ever ran stays.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Config, DEPLOYED_IMAGE_TAG_PREFIX, type EnvironmentConfig } from '../../config';
import type { AwsClients } from '../aws-clients';

/** ECR's longest image tag. */
const MAX_TAG_LENGTH = 128;

/**
 * Manifest types a mark is put on as they are: asking for all of them keeps ECR from converting the
 * manifest (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html).
 */
const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

const batchGetImage = z.object({
  images: z
    .array(
      z.object({
        imageManifest: z.string().optional(),
        imageManifestMediaType: z.string().optional(),
      }),
    )
    .optional(),
  failures: z
    .array(z.object({ failureCode: z.string().optional(), failureReason: z.string().optional() }))
    .optional(),
});

/**
 * The mark of `tag` in `environment`: `deployed-<env>-<tag>`, or, where that would pass ECR's 128
 * characters, `deployed-<env>-sha256-<first 32 hex digits of the tag's SHA-256>`.
 */
export function deployedImageTag(environmentName: string, tag: string): string {
  const plain = `${DEPLOYED_IMAGE_TAG_PREFIX}${environmentName}-${tag}`;
  if (plain.length <= MAX_TAG_LENGTH) return plain;
  const digest = createHash('sha256').update(tag).digest('hex').slice(0, 32);
  return `${DEPLOYED_IMAGE_TAG_PREFIX}${environmentName}-sha256-${digest}`;
}

/**
 * Puts the mark of each of `tags` on its image in `environment`'s repository; a mark already there is
 * fine. Returns the marks put or found, in the order of `tags`.
 *
 * @throws Error when an image cannot be read or tagged (missing, access denied): the caller reports it.
 */
export async function markDeployedImages(
  aws: AwsClients,
  config: Config,
  environment: EnvironmentConfig,
  tags: readonly string[],
): Promise<string[]> {
  const { account, region } = config.registry;
  const { repositoryName } = environment.images;
  const sdk = await import('@aws-sdk/client-ecr');
  const ecr = await aws.ecr(region);
  const marks: string[] = [];
  for (const tag of [...new Set(tags)]) {
    const mark = deployedImageTag(environment.name, tag);
    const got = batchGetImage.parse(
      await ecr.send(
        new sdk.BatchGetImageCommand({
          registryId: account,
          repositoryName,
          imageIds: [{ imageTag: tag }],
          acceptedMediaTypes: MANIFEST_MEDIA_TYPES,
        }),
      ),
    );
    const image = got.images?.[0];
    if (!image?.imageManifest) {
      const failure = got.failures?.[0];
      throw new Error(
        `cannot read image ${tag} in ${repositoryName}: ${failure?.failureCode ?? 'no image'} ${failure?.failureReason ?? ''}`.trim(),
      );
    }
    try {
      await ecr.send(
        new sdk.PutImageCommand({
          registryId: account,
          repositoryName,
          imageManifest: image.imageManifest,
          ...(image.imageManifestMediaType ? { imageManifestMediaType: image.imageManifestMediaType } : {}),
          imageTag: mark,
        }),
      );
    } catch (error) {
      // The same tag on the same manifest: marked by an earlier deploy.
      if (!(error instanceof Error && error.name === 'ImageAlreadyExistsException')) throw error;
    }
    marks.push(mark);
  }
  return marks;
}
