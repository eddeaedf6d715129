/**
 * Synthesizes each environment's CloudFormation execution policy stack (stacks/ci/cloudformation-execution-policy.ts)
 * into `cdk.out.cfn-execution-policies/` (`CDK_OUTDIR` overrides), for a person to create with plain
 * CloudFormation in the environment's account before `cdk bootstrap` there (README, operator's guide, step 2).
 * It is not part of the main app: nothing that deploys through the bootstrap may change the policy it runs with.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig } from '../config';
import { CloudFormationExecutionPolicyStack } from './ci/cloudformation-execution-policy';

function main(): void {
  const { config, warnings } = loadConfig();
  for (const warning of warnings) console.warn(`warning: ${warning}`);
  const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out.cfn-execution-policies' });
  const stacks = config.environments.map(
    (env) =>
      new CloudFormationExecutionPolicyStack(app, `${env.stackName}-cfn-execution-policy`, {
        environmentStackName: env.stackName,
        account: env.account,
        region: env.region,
        projectName: config.project.name,
        environmentName: env.name,
      }),
  );
  const assembly = app.synth();
  for (const stack of stacks) {
    console.log(
      `synthesized ${stack.stackName} (${stack.account}/${stack.region}) into ${assembly.directory}/${stack.templateFile}`,
    );
  }
}

try {
  main();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
