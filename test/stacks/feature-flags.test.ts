/**
 * The CDK feature flags: one set, seen by every synth. The CDK CLI reads cdk.json's `context`; our
 * in-process synths (tests, stacks/main.ts, the bot's toolkit-lib deployer) get stacks/feature-flags.ts as
 * App context from buildApp. CDK docs, "Feature flags" (https://docs.aws.amazon.com/cdk/v2/guide/featureflags.html):
 * flags are context values, and `cdk init` writes the recommended ones into a new project's cdk.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../stacks/app';
import { FEATURE_FLAG_OVERRIDES, FEATURE_FLAGS } from '../../stacks/feature-flags';
import { exampleConfig } from '../support/example-config';

const root = join(__dirname, '..', '..');
const recommended: Record<string, unknown> = JSON.parse(
  readFileSync(join(root, 'node_modules', 'aws-cdk-lib', 'recommended-feature-flags.json'), 'utf8'),
);

describe('feature flags', () => {
  it("cdk.json's context is exactly the flags the app sets in code", () => {
    const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8'));
    expect(cdkJson.context).toEqual(FEATURE_FLAGS);
  });

  it('sets every flag aws-cdk-lib recommends, at its recommended value unless overridden with a reason', () => {
    const decided = new Set(Object.keys(FEATURE_FLAG_OVERRIDES));
    for (const [flag, value] of Object.entries(recommended)) {
      expect({ flag, set: flag in FEATURE_FLAGS }).toEqual({ flag, set: true });
      if (!decided.has(flag)) expect({ flag, value: FEATURE_FLAGS[flag] }).toEqual({ flag, value });
    }
    // The one recommendation kept at its old value, because it would replace the ECS services.
    expect(FEATURE_FLAGS['@aws-cdk/aws-ecs:disableExplicitDeploymentControllerForCircuitBreaker']).toBe(
      false,
    );
  });

  it('reach the stacks built in process', () => {
    process.env.CDK_VALIDATION = 'false';
    const { stacks } = buildApp(exampleConfig(), { nag: false, environments: ['dev'], delivery: false });
    for (const [flag, value] of Object.entries(FEATURE_FLAGS)) {
      expect({ flag, value: stacks[0]!.node.tryGetContext(flag) }).toEqual({ flag, value });
    }
  });
});
