/**
 * Entry point of the CDK app (`cdk.json`, `npm run synth`): synthesizes every environment offline
 * (`WHEELHOUSE_ENVIRONMENTS=dev,stage` selects some) and, where `delivery` is configured, the CI and
 * bot stacks. Accounts, regions and zones come from the configuration, so no AWS lookup or
 * credentials are needed.
 */
import { ConfigError, loadConfig } from '../config';
import { buildApp } from './app';

function main(): void {
  const { config, warnings } = loadConfig();
  for (const warning of warnings) console.warn(`warning: ${warning}`);
  const only = process.env.WHEELHOUSE_ENVIRONMENTS?.split(',').filter(Boolean);
  const { app, stacks, delivery } = buildApp(config, {
    environments: only,
    appProps: { outdir: process.env.CDK_OUTDIR ?? 'cdk.out' },
  });
  const assembly = app.synth();
  if (process.exitCode) return;
  for (const stack of [...stacks, ...(delivery ? [delivery.ci, delivery.bot] : [])])
    console.log(
      `synthesized ${stack.stackName} (${stack.account}/${stack.region}) into ${assembly.directory}`,
    );
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
