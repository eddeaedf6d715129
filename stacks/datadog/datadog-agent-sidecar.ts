/**
 * The Datadog Agent as a sidecar of the service's Fargate task: DogStatsD (8125/udp) and APM
 * (8126/tcp) on localhost, unified service tags on the app container (variables and Docker labels), and its logs shipped to
 * Datadog through a FireLens (Fluent Bit) log router.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { applyUnifiedServiceTags, UNIFIED_SERVICE_TAG_LABELS } from './unified-service-tags';

/** The Agent image (Datadog's public ECR mirror, major version 7). */
export const DEFAULT_AGENT_IMAGE = 'public.ecr.aws/datadog/agent:7';

/**
 * AWS's Fluent Bit image for FireLens, from the ECR Public Gallery, `stable` tag (the latest release without
 * known high-impact bugs; https://github.com/aws/aws-for-fluent-bit#using-the-stable-tag, which recommends
 * the gallery). A public repository needs no IAM permission to pull, so the task's execution role may pull
 * from no private repository but the service's. CDK's default (`obtainDefaultFluentBitECRImage`, the
 * regional private repository of AWS's account) grants ECR pulls on every repository (`*`) instead.
 */
export const DEFAULT_LOG_ROUTER_IMAGE = 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable';

/** DogStatsD's port on localhost. */
export const DOGSTATSD_PORT = 8125;

/** The trace agent's port on localhost. */
export const APM_PORT = 8126;

/** What the logs of a container are labelled with in Datadog. */
export interface DatadogLogOptions {
  /** Secrets Manager secret holding the Datadog API key (the whole secret string). */
  readonly apiKey: secretsmanager.ISecret;
  /** The Datadog site, e.g. `datadoghq.eu`. */
  readonly site: string;
  /** `service` of the logs, e.g. `wheelhouse`. */
  readonly service: string;
  /** `env` of the logs, e.g. `prod`. */
  readonly env: string;
  /** `source` of the logs (which log pipeline parses them). @default 'nodejs' */
  readonly source?: string;
  /** Extra tags. @default [] */
  readonly tags?: readonly string[];
}

/** Props of {@link DatadogAgentSidecar}. */
export interface DatadogAgentSidecarProps extends DatadogLogOptions {
  /** The task to add the Agent to. */
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /**
   * The app container. It must log through {@link DatadogAgentSidecar.logDriver}, given when it is
   * created: CDK fixes a container's log driver then.
   */
  readonly appContainer: ecs.ContainerDefinition;
  /** `version` of the metrics, traces and logs: the image tag (a token is fine). */
  readonly version: string;
  /** @default {@link DEFAULT_AGENT_IMAGE} */
  readonly agentImage?: string;
  /** A public image (no pull permission is granted for it). @default {@link DEFAULT_LOG_ROUTER_IMAGE} */
  readonly logRouterImage?: string;
  /** Memory reserved for the Agent, MiB (taken from the task's). @default 256 */
  readonly agentMemoryMiB?: number;
  /** CPU units reserved for the Agent (taken from the task's). @default 128 */
  readonly agentCpu?: number;
}

/** The Agent container, the app's Datadog settings, and the FireLens log router. */
export class DatadogAgentSidecar extends Construct {
  /**
   * The log driver of a container whose logs go to Datadog through FireLens: pass it as `logging`
   * when creating the app container.
   */
  static logDriver(options: DatadogLogOptions): ecs.LogDriver {
    return ecs.LogDrivers.firelens({
      options: {
        Name: 'datadog',
        Host: `http-intake.logs.${options.site}`,
        TLS: 'on',
        compress: 'gzip',
        provider: 'ecs',
        dd_service: options.service,
        dd_source: options.source ?? 'nodejs',
        dd_tags: [`env:${options.env}`, ...(options.tags ?? [])].join(','),
        Retry_Limit: '2',
      },
      secretOptions: { apikey: ecs.Secret.fromSecretsManager(options.apiKey) },
    });
  }

  /** The Agent container. */
  readonly agent: ecs.ContainerDefinition;
  /** The FireLens log router of the task. */
  readonly logRouter: ecs.FirelensLogRouter;

  constructor(scope: Construct, id: string, props: DatadogAgentSidecarProps) {
    super(scope, id);
    const { taskDefinition, appContainer } = props;
    if (appContainer.taskDefinition !== taskDefinition) {
      throw new Error(
        `DatadogAgentSidecar appContainer "${appContainer.containerName}" is not in the given task definition`,
      );
    }
    if (appContainer.logDriverConfig?.logDriver !== 'awsfirelens') {
      throw new Error(
        `DatadogAgentSidecar needs the app container "${appContainer.containerName}" to log through FireLens, got ${appContainer.logDriverConfig?.logDriver ?? 'no log driver'}: create it with logging: DatadogAgentSidecar.logDriver({...})`,
      );
    }
    const tags = [`env:${props.env}`, `service:${props.service}`, ...(props.tags ?? [])];

    // Added here with our settings; CDK would otherwise add a default one at synth for the FireLens driver.
    this.logRouter = taskDefinition.addFirelensLogRouter('log-router', {
      image: ecs.ContainerImage.fromRegistry(props.logRouterImage ?? DEFAULT_LOG_ROUTER_IMAGE),
      firelensConfig: { type: ecs.FirelensLogRouterType.FLUENTBIT, options: { enableECSLogMetadata: true } },
      essential: true,
      memoryReservationMiB: 50,
      // The router's own logs cannot go through itself: CloudWatch, so a broken log pipeline is still visible.
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'log-router',
        logGroup: new logs.LogGroup(this, 'LogRouterLogs', {
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      }),
    });

    this.agent = taskDefinition.addContainer('datadog-agent', {
      image: ecs.ContainerImage.fromRegistry(props.agentImage ?? DEFAULT_AGENT_IMAGE),
      // A failed Agent costs metrics, not requests: the app keeps serving.
      essential: false,
      cpu: props.agentCpu ?? 128,
      memoryReservationMiB: props.agentMemoryMiB ?? 256,
      environment: {
        ECS_FARGATE: 'true',
        DD_SITE: props.site,
        DD_ENV: props.env,
        DD_SERVICE: props.service,
        DD_VERSION: props.version,
        DD_TAGS: tags.join(' '),
        DD_APM_ENABLED: 'true',
        // Tasks share one network namespace: the app reaches the Agent on localhost, nothing else can.
        DD_APM_NON_LOCAL_TRAFFIC: 'false',
        DD_DOGSTATSD_NON_LOCAL_TRAFFIC: 'false',
        DD_DOGSTATSD_PORT: String(DOGSTATSD_PORT),
        DD_APM_RECEIVER_PORT: String(APM_PORT),
        DD_PROCESS_AGENT_ENABLED: 'false',
        // Logs go through FireLens, not the Agent.
        DD_LOGS_ENABLED: 'false',
      },
      secrets: { DD_API_KEY: ecs.Secret.fromSecretsManager(props.apiKey) },
      healthCheck: {
        command: ['CMD-SHELL', 'agent health'],
        retries: 3,
      },
      logging: DatadogAgentSidecar.logDriver({ ...props, service: 'datadog-agent', source: 'datadog-agent' }),
    });

    // Unified service tagging (variables and Docker labels), and where the app's tracer and StatsD client send.
    applyUnifiedServiceTags(appContainer, { env: props.env, service: props.service, version: props.version });
    // The Agent's and the log router's own metrics and logs carry the environment and the version too.
    for (const container of [this.agent, this.logRouter]) {
      container.addDockerLabel(UNIFIED_SERVICE_TAG_LABELS.env, props.env);
      container.addDockerLabel(UNIFIED_SERVICE_TAG_LABELS.version, props.version);
    }
    const app: Readonly<Record<string, string>> = {
      DD_AGENT_HOST: '127.0.0.1',
      DD_DOGSTATSD_PORT: String(DOGSTATSD_PORT),
      DD_TRACE_AGENT_PORT: String(APM_PORT),
    };
    for (const [name, value] of Object.entries(app)) appContainer.addEnvironment(name, value);
    appContainer.addContainerDependencies({
      container: this.agent,
      condition: ecs.ContainerDependencyCondition.START,
    });
  }
}
