/** The CDK app: one stack per environment from the one configuration, checked by cdk-nag. */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Config } from '../config';
import { EnvironmentStack } from './environment-stack';

/**
 * Feature flags the stacks rely on, set in code so that `tsx stacks/main.ts`, the CDK CLI and
 * toolkit-lib all synthesize the same template (cdk.json is read by the CLI only).
 */
export const FEATURE_FLAGS = {
  // A deploy must never reset the running task count (autoscaling and /scale own it).
  '@aws-cdk/aws-ecs:removeDefaultDesiredCount': true,
  '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': true,
  '@aws-cdk/core:validationReportJson': true,
} as const;

/** Options for {@link buildApp}. */
export interface BuildAppOptions {
  /** Only these environments. @default all of them */
  readonly environments?: readonly string[];
  /** Run cdk-nag's AWS Solutions checks at synth. @default true */
  readonly nag?: boolean;
  /** Passed to the App (outdir, context). */
  readonly appProps?: AppProps;
}

/** Builds the app with a stack per environment; `app.synth()` writes it and runs the checks. */
export function buildApp(
  config: Config,
  options: BuildAppOptions = {},
): { app: App; stacks: EnvironmentStack[] } {
  const app = new App({ ...options.appProps, context: { ...FEATURE_FLAGS, ...options.appProps?.context } });
  const wanted = options.environments;
  if (wanted) {
    const unknown = wanted.filter((name) => !config.environments.some((e) => e.name === name));
    if (unknown.length > 0) {
      throw new Error(
        `unknown environment ${unknown.join(', ')}; known: ${config.environments.map((e) => e.name).join(', ')}`,
      );
    }
  }
  const stacks = config.environments
    .filter((env) => !wanted || wanted.includes(env.name))
    .map(
      (env) =>
        new EnvironmentStack(app, env.stackName, {
          environment: env,
          registry: config.registry,
          project: config.project,
        }),
    );
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stacks };
}
