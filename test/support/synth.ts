/** Synthesizes environment stacks for assertions, fast: no cdk-nag and no built-in CloudFormation validation. */
import { Template } from 'aws-cdk-lib/assertions';
import type { Config } from '../../config';
import { buildApp } from '../../stacks/app';

/** Templates by environment name. */
export function synthTemplates(config: Config, environments?: readonly string[]): Record<string, Template> {
  // The built-in validation costs ~10 s of CPU per synth; one gate test runs it (test/stacks/app.test.ts).
  process.env.CDK_VALIDATION = 'false';
  // The tools account's stacks have their own tests (ci-stack, bot-stack): not synthesized here.
  const { stacks } = buildApp(config, { nag: false, environments, delivery: false });
  return Object.fromEntries(
    stacks.map((stack) => [stack.node.id.replace(`${config.project.name}-`, ''), Template.fromStack(stack)]),
  );
}
