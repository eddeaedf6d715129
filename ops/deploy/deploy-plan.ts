/**
 * What a deploy would do, without AWS credentials: synthesize the environment's stack from the real
 * CDK app with the new `ImageTag` and summarize the template: the image the task definition would
 * run and the resources it declares. Nothing is compared with (or pretends to be) the deployed stack.
 */
import { type Config, type EnvironmentConfig, IMAGE_TAG_PARAMETER } from '../../config';

/** The summary of a synthesized stack. */
export interface DeployPlan {
  readonly stackName: string;
  /** `ImageTag` as the deploy would pass it, or null: the running value is kept. */
  readonly imageTag: string | null;
  /** The service container's image with `ImageTag` resolved (`<ImageTag>` when kept). */
  readonly image: string | null;
  /** Resource counts by CloudFormation type, largest first. */
  readonly resources: readonly { readonly type: string; readonly count: number }[];
  /** The template's parameters. */
  readonly parameters: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Synthesizes `environment`'s stack in-process (aws-cdk-lib loaded now, not at start-up). */
export async function planDeploy(
  config: Config,
  environment: EnvironmentConfig,
  version: string | null,
): Promise<DeployPlan> {
  // A computed specifier: the module resolves the same under tsx and jest (aws-cdk-lib loads now, not at start-up).
  const specifier = '../../stacks/app';
  const { buildApp } = (await import(specifier)) as typeof import('../../stacks/app.js');
  const { app } = buildApp(config, { environments: [environment.name], nag: false, delivery: false });
  const template = app.synth().getStackByName(environment.stackName).template as {
    Resources?: Record<string, { Type: string; Properties?: Record<string, Json> }>;
    Parameters?: Record<string, unknown>;
  };
  return summarizeTemplate(template, environment, version);
}

/** Summarizes a synthesized template (exported for tests). */
export function summarizeTemplate(
  template: {
    Resources?: Record<string, { Type: string; Properties?: Record<string, Json> }>;
    Parameters?: Record<string, unknown>;
  },
  environment: Pick<EnvironmentConfig, 'stackName' | 'region'>,
  version: string | null,
): DeployPlan {
  const resources = Object.values(template.Resources ?? {});
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  let image: string | null = null;
  for (const r of resources) {
    if (r.Type !== 'AWS::ECS::TaskDefinition') continue;
    const containers = (r.Properties?.ContainerDefinitions ?? []) as { Image?: Json }[];
    for (const c of containers) {
      if (c.Image !== undefined && JSON.stringify(c.Image).includes(`"Ref":"${IMAGE_TAG_PARAMETER}"`)) {
        image = resolve(
          c.Image,
          { [IMAGE_TAG_PARAMETER]: version ?? `<${IMAGE_TAG_PARAMETER}>` },
          environment,
        );
      }
    }
  }
  return {
    stackName: environment.stackName,
    imageTag: version,
    image,
    resources: [...counts].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count),
    parameters: Object.keys(template.Parameters ?? {}),
  };
}

/** Resolves `Ref` (parameters and pseudo parameters) and `Fn::Join` enough to read an image URI. */
function resolve(
  value: Json,
  parameters: Record<string, string>,
  environment: Pick<EnvironmentConfig, 'region'>,
): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if ('Ref' in value) {
      const name = String(value.Ref);
      if (name === 'AWS::URLSuffix') return 'amazonaws.com';
      if (name === 'AWS::Region') return environment.region;
      return parameters[name] ?? `<${name}>`;
    }
    const join = value['Fn::Join'];
    if (Array.isArray(join)) {
      const [separator, parts] = join;
      return (Array.isArray(parts) ? parts : [])
        .map((p) => resolve(p, parameters, environment))
        .join(String(separator));
    }
  }
  return JSON.stringify(value);
}
