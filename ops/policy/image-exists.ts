/**
 * Rule: the version deployed (or rolled back to) is an image in the environment's own repository
 * (`images.repositoryName`). Asking the environment's repository is what keeps a branch's image out
 * of stage and prod: a branch cannot push to the release repository. A rollback is checked too: its
 * version ran before, but a lifecycle rule may have removed the image since. A scale and a deploy of
 * the infrastructure alone change no image, so the rule does not apply to them.
 */
import { missingImageText } from '../deploy/image-tags';
import type { ChangeFacts } from './change-facts';
import { allow, type PolicyVerdict, verdict } from './policy-verdict';

/** The verdict of the image rule. */
export function imageExists(facts: ChangeFacts): PolicyVerdict {
  if (facts.action === 'scale') return allow('image-exists', 'a scale changes no image');
  if (facts.version === null)
    return allow('image-exists', 'the infrastructure only: the running image stays');
  if (facts.image === null) {
    // Never looked up: refusing is safe, allowing would let an unknown image through.
    return verdict(
      'image-exists',
      'refuse',
      `The image \`${facts.version}\` was not looked up in ${facts.environment.images.repositoryName}.`,
      'Run it again with AWS credentials.',
    );
  }
  if (facts.image.found) return allow('image-exists', `\`${facts.version}\` is in ${facts.image.repository}`);
  const { message, hint } = missingImageText(facts.version, facts.image);
  return verdict('image-exists', 'refuse', message, hint);
}
