/**
 * The service's image tags in an environment's ECR repository (`images.repositoryName`: the branch
 * repository for dev, the release repository for stage and prod): a deploy checks that its version exists
 * there before anything else, and suggests the closest tags when it does not. Asking the environment's own
 * repository is what keeps a branch's image out of stage and prod here too: a tag pushed from a branch is
 * not in the release repository, so it is refused before the stack is touched.
 */
import { z } from 'zod';
import type { Config, EnvironmentConfig } from '../../config';
import type { AwsClients } from '../aws-clients';
import { withAwsErrors } from '../aws-errors';
import { UserError } from '../user-error';

/** An image tag, as the stack's `ImageTag` parameter allows it. */
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** How many close tags a refusal suggests. */
const SUGGESTIONS = 3;

const listImages = z.object({
  imageIds: z.array(z.object({ imageTag: z.string().optional() })).optional(),
  nextToken: z.string().optional(),
});

/** Whether a tag is in an environment's repository; when not, the closest tags there. */
export type ImageLookup =
  | { readonly found: true; readonly repository: string }
  | { readonly found: false; readonly repository: string; readonly closest: readonly string[] };

/** Looks `tag` up in `environment`'s repository, and lists the closest tags when it is not there. */
export function findImageTag(
  aws: AwsClients,
  config: Config,
  environment: EnvironmentConfig,
  tag: string,
): Promise<ImageLookup> {
  const { account, region } = config.registry;
  const { repositoryName: repository } = environment.images;
  return withAwsErrors(`look up image tag ${tag} in ${repository}`, async () => {
    const sdk = await import('@aws-sdk/client-ecr');
    const ecr = await aws.ecr(region);
    try {
      await ecr.send(
        new sdk.DescribeImagesCommand({
          registryId: account,
          repositoryName: repository,
          imageIds: [{ imageTag: tag }],
        }),
      );
      return { found: true, repository };
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ImageNotFoundException')) throw error;
    }
    const tags: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = listImages.parse(
        await ecr.send(
          new sdk.ListImagesCommand({
            registryId: account,
            repositoryName: repository,
            filter: { tagStatus: 'TAGGED' },
            maxResults: 1000,
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      );
      for (const id of page.imageIds ?? []) if (id.imageTag) tags.push(id.imageTag);
      nextToken = page.nextToken;
    } while (nextToken && tags.length < 10_000);
    return { found: false, repository, closest: closestTags(tag, tags, SUGGESTIONS) };
  });
}

/** The refusal of a tag that is not in its repository: the message and the hint with the closest tags. */
export function missingImageText(
  tag: string,
  lookup: Extract<ImageLookup, { found: false }>,
): { readonly message: string; readonly hint: string } {
  return {
    message: `There is no image \`${tag}\` in ${lookup.repository}.`,
    hint:
      lookup.closest.length > 0
        ? `Closest tags: ${lookup.closest.map((t) => `\`${t}\``).join(', ')}.`
        : 'The repository has no tagged image: push one first.',
  };
}

/** Throws a {@link UserError} naming the closest tags when `tag` is not in `environment`'s repository. */
export async function assertImageTagExists(
  aws: AwsClients,
  config: Config,
  environment: EnvironmentConfig,
  tag: string,
): Promise<void> {
  const lookup = await findImageTag(aws, config, environment, tag);
  if (lookup.found) return;
  const { message, hint } = missingImageText(tag, lookup);
  throw new UserError(message, hint);
}

/** The `limit` tags closest to `wanted`: shortest edit distance, then longest shared prefix. */
export function closestTags(wanted: string, tags: readonly string[], limit: number): string[] {
  const scored = [...new Set(tags)].map((tag) => ({
    tag,
    distance: editDistance(wanted, tag),
    prefix: sharedPrefix(wanted, tag),
  }));
  scored.sort((a, b) => a.distance - b.distance || b.prefix - a.prefix || a.tag.localeCompare(b.tag));
  const cutoff = Math.max(3, Math.ceil(wanted.length / 2));
  return scored
    .filter((s) => s.distance <= cutoff || s.prefix >= 2)
    .slice(0, limit)
    .map((s) => s.tag);
}

function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
