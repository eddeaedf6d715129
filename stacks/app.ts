/**
 * The CDK app: one stack per environment from the one configuration and, where `delivery` is
 * configured, the CI and bot stacks of the tools account; all checked by cdk-nag.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  type BotSecret,
  type Config,
  ciDeployRoleName,
  ciPlanRoleName,
  type DeliveryConfig,
  deliveryNames,
  operatorRoleName,
  planRoleName,
} from '../config';
import { BotStack } from './bot/bot-stack';
import { type CiEnvironment, CiStack } from './ci/ci-stack';
import { EnvironmentStack } from './environment-stack';
import { FEATURE_FLAGS } from './feature-flags';

export { FEATURE_FLAGS } from './feature-flags';

/** Options for {@link buildApp}. */
export interface BuildAppOptions {
  /** Only these environments. @default all of them */
  readonly environments?: readonly string[];
  /** Run cdk-nag's AWS Solutions checks at synth. @default true */
  readonly nag?: boolean;
  /** Passed to the App (outdir, context). */
  readonly appProps?: AppProps;
  /**
   * Add the CI and bot stacks where `delivery` is configured. They always cover every environment,
   * whichever `environments` are selected. @default true
   */
  readonly delivery?: boolean;
}

/** The app and its stacks. */
export interface BuiltApp {
  readonly app: App;
  /** The environment stacks, in configuration order. */
  readonly stacks: EnvironmentStack[];
  /** The CI and bot stacks, or null (no `delivery`, or left out by the options). */
  readonly delivery: { readonly ci: CiStack; readonly bot: BotStack } | null;
}

/** Builds the app with a stack per environment; `app.synth()` writes it and runs the checks. */
export function buildApp(config: Config, options: BuildAppOptions = {}): BuiltApp {
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
  const names = deliveryNames(config.project);
  const tools = config.delivery?.account;
  const stacks = config.environments
    .filter((env) => !wanted || wanted.includes(env.name))
    .map(
      (env) =>
        new EnvironmentStack(app, env.stackName, {
          environment: env,
          registry: config.registry,
          project: config.project,
          // The bot, and CI's deploy role of this environment only.
          operators: tools
            ? {
                account: tools,
                roleNames: [names.botTaskRoleName, ciDeployRoleName(config.project, env.name)],
              }
            : undefined,
          // Pull requests' plan jobs (the CI plan role) read this stack's template, nothing else.
          planner: tools ? { account: tools, roleName: ciPlanRoleName(config.project) } : undefined,
        }),
    );
  const delivery =
    config.delivery && (options.delivery ?? true) ? addDeliveryStacks(app, config, config.delivery) : null;
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stacks, delivery };
}

/** The CI and bot stacks of the tools account, for every environment of the configuration. */
function addDeliveryStacks(
  app: App,
  config: Config,
  delivery: DeliveryConfig,
): { readonly ci: CiStack; readonly bot: BotStack } {
  const names = deliveryNames(config.project);
  const environments: CiEnvironment[] = config.environments.map((env) => ({
    name: env.name,
    account: env.account,
    region: env.region,
    operatorRoleName: operatorRoleName(env),
    planRoleName: planRoleName(env),
    deployRoleName: ciDeployRoleName(config.project, env.name),
    images: env.images.tier,
    releaseTagPattern: env.deploy.releaseTagPattern,
  }));
  const tools = { account: delivery.account, region: delivery.region };
  const ci = new CiStack(app, names.ciStackName, {
    stackName: names.ciStackName,
    ...tools,
    projectName: config.project.name,
    githubRepository: delivery.github.repository,
    planRoleName: ciPlanRoleName(config.project),
    // One deploy role per environment. The tools account's own stacks are deployed by a person: no CI
    // role reaches them.
    environments,
    releaseRepositoryName: config.registry.repositoryName,
    branchRepositoryName: config.registry.branchRepositoryName,
    botRepositoryName: names.botRepositoryName,
  });

  const { botSecrets } = names;
  const datadog = config.environments.filter((env) => env.datadog.enabled);
  const secrets: BotSecret[] = [
    botSecrets.slackBotToken,
    botSecrets.slackAppToken,
    ...(datadog.length > 0 ? [botSecrets.datadogApiKey, botSecrets.datadogAppKey] : []),
    ...(config.environments.some((env) => env.pagerduty.enabled) ? [botSecrets.pagerDutyToken] : []),
  ];
  const sites = [...new Set(datadog.map((env) => env.datadog.site))];
  const bot = new BotStack(app, names.botStackName, {
    stackName: names.botStackName,
    ...tools,
    projectName: config.project.name,
    ...delivery.bot,
    taskRoleName: names.botTaskRoleName,
    botRepositoryName: names.botRepositoryName,
    // `/deploy` checks a version in the repository of the environment it deploys to.
    serviceRepositoryNames: [...new Set(config.environments.map((env) => env.images.repositoryName))],
    secrets,
    // One site for every environment: the bot's Datadog client talks to it (monitors, mutes, the bake).
    environment: sites.length === 1 ? { DD_SITE: sites[0]! } : {},
    targets: environments,
  });
  return { ci, bot };
}
