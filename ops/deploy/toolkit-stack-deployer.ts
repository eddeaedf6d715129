/**
 * The real {@link StackDeployer}: toolkit-lib synthesizes the CDK app in `stacks/` in-process (the
 * same app `cdk deploy` and CI deploy, so no deploy undoes another) and deploys the one stack, or
 * diffs it against the deployed one (read-only: see {@link toolkitStackDeployer}).
 * This module is loaded on first use only (toolkit-lib and aws-cdk-lib take seconds to load).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type {
  IBaseCredentialsProvider,
  ICloudAssemblySource,
  IIoHost,
  IoMessage,
  IoRequest,
} from '@aws-cdk/toolkit-lib';
import {
  BaseCredentials,
  DiffMethod,
  StackParameters,
  StackSelectionStrategy,
  Toolkit,
} from '@aws-cdk/toolkit-lib';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { IMAGE_TAG_PARAMETER } from '../../config';
import { buildApp } from '../../stacks/app';
import type { AwsCredentials } from '../aws-clients';
import type {
  StackActivityEvent,
  StackDeployer,
  StackDeployRequest,
  StackDiffResult,
} from './stack-deployer';

/**
 * toolkit-lib's message code for the start of a stack's monitoring: sent once CloudFormation accepted the
 * change (ExecuteChangeSet, or CreateStack/UpdateStack), never before (assets, change set creation).
 */
const STACK_MONITORING_START = 'CDK_TOOLKIT_I5501';
/** toolkit-lib's message code for a CloudFormation stack event. */
const STACK_ACTIVITY = 'CDK_TOOLKIT_I5502';
/** toolkit-lib's message code for the diff of one stack (its data carries the formatted text). */
const STACK_DIFF = 'CDK_TOOLKIT_I4002';
/**
 * toolkit-lib's validation report (cdk-nag, annotations): sent at error level on every synth, warnings
 * included, so it is not why a deploy failed (failing validations make the synth throw).
 */
const VALIDATION_REPORT = 'CDK_TOOLKIT_E9600';
/** The prefix of the temporary directory a deploy (or a diff) synthesizes into. */
export const ASSEMBLY_DIR_PREFIX = 'wheelhouse-deploy-';
/** How much of a failure reason the deploy op gets (it goes to Slack and the deploy history). */
const MAX_REASON_LENGTH = 1000;

/**
 * The stack parameters of a deploy: `ImageTag` set to `version` (other parameters keep their
 * values), or, without a version, every parameter kept (CloudFormation's UsePreviousValue).
 */
export function stackParametersFor(version: string | null): StackParameters {
  return version === null
    ? StackParameters.onlyExisting()
    : StackParameters.withExisting({ [IMAGE_TAG_PARAMETER]: version });
}

interface ActivityData {
  readonly event?: {
    readonly LogicalResourceId?: string;
    readonly ResourceType?: string;
    readonly ResourceStatus?: string;
    readonly ResourceStatusReason?: string;
  };
}

/** What the IoHost saw that may explain a failure. */
interface FailureClues {
  /** Error-level messages (other than the validation report). */
  readonly errors: string[];
  /** Stack events that failed with CloudFormation's reason. */
  readonly failedEvents: StackActivityEvent[];
  /** Whether CloudFormation started changing the stack: toolkit-lib began monitoring it, or it had events. */
  stackChanged: boolean;
}

/** Clues of a deploy or diff that has seen nothing yet. */
function noClues(): FailureClues {
  return { errors: [], failedEvents: [], stackChanged: false };
}

interface StackDiffData {
  readonly formattedDiff?: { readonly diff?: string };
}

/**
 * A toolkit-lib IoHost that forwards stack events and formatted stack diffs, and answers every
 * question with its default.
 */
function ioHost(
  onActivity: (event: StackActivityEvent) => void,
  clues: FailureClues,
  onDiff: (text: string) => void = () => {},
): IIoHost {
  return {
    async notify(msg: IoMessage<unknown>) {
      if (msg.code === STACK_MONITORING_START) {
        clues.stackChanged = true;
      } else if (msg.code === STACK_DIFF) {
        const text = (msg.data as StackDiffData | undefined)?.formattedDiff?.diff ?? msg.message;
        onDiff(stripVTControlCharacters(text));
      } else if (msg.code === STACK_ACTIVITY) {
        const event = (msg.data as ActivityData | undefined)?.event;
        if (event?.LogicalResourceId && event.ResourceStatus) {
          const activity: StackActivityEvent = {
            logicalId: event.LogicalResourceId,
            resourceType: event.ResourceType ?? '',
            status: event.ResourceStatus,
            reason: event.ResourceStatusReason ?? null,
          };
          clues.stackChanged = true;
          if (activity.status.endsWith('_FAILED') && activity.reason) clues.failedEvents.push(activity);
          onActivity(activity);
        }
      } else if (msg.level === 'error' && msg.code !== VALIDATION_REPORT) {
        clues.errors.push(msg.message);
      }
    },
    async requestResponse<T>(msg: IoRequest<unknown, T>): Promise<T> {
      // Nobody is at a terminal: the bot deploys what was approved in Slack.
      return msg.defaultResponse;
    },
  };
}

/** Options of {@link toolkitStackDeployer}. */
export interface ToolkitStackDeployerOptions {
  /**
   * The credentials are a read-only role of the environment's own account (its plan role,
   * `stacks/plan-role.ts`): `diff` reads the deployed stack with them, never through the bootstrap lookup
   * role. toolkit-lib still asks STS for the lookup role first, as `cdk diff` does; the plan role may not
   * assume it, so STS refuses, and toolkit-lib carries on with these credentials because they are for the
   * stack's account. `deploy` is not for such credentials.
   * @default false: through the lookup role, or with the credentials where it cannot be assumed
   */
  readonly readWithCredentials?: boolean;
}

/**
 * The toolkit-lib deployer. toolkit-lib starts from `credentials` and assumes the environment's CDK
 * bootstrap roles (lookup, file publishing, deploy) from there, as `cdk deploy` does: they must be
 * the process's own (the tools account's, which `cdk bootstrap --trust` trusts), not an environment's
 * operator role. Endpoints follow `AWS_ENDPOINT_URL` (toolkit-lib takes no endpoint of its own).
 *
 * `diff` is read-only: a template diff (`DiffMethod.TemplateOnly`, CloudFormation GetTemplate through
 * the bootstrap lookup role, as `cdk diff --method=template` does) rather than a change-set diff,
 * which would need the deploy role; so a read-only CI plan role that may assume the lookup role is
 * enough. The price: replacements come from the resource specification, not CloudFormation's own
 * change set analysis, and parameter values are not compared (so the running `ImageTag` is read with
 * DescribeStacks, through the same lookup role).
 *
 * A pull request's plan gets no lookup role: its `credentials` are the environment's plan role
 * (`readWithCredentials`, see {@link ToolkitStackDeployerOptions}).
 *
 * @default credentials: the SDK's default chain, read by toolkit-lib the way the AWS CLI reads it
 */
export function toolkitStackDeployer(
  credentials?: AwsCredentials,
  options: ToolkitStackDeployerOptions = {},
): StackDeployer {
  const newToolkit = (request: StackDeployRequest, host: IIoHost) =>
    new Toolkit({
      ioHost: host,
      color: false,
      emojis: false,
      ...(credentials
        ? { sdkConfig: { baseCredentials: baseCredentials(credentials, request.environment.region) } }
        : {}),
    });
  const stacks = (request: StackDeployRequest) => ({
    strategy: StackSelectionStrategy.PATTERN_MUST_MATCH_SINGLE,
    patterns: [request.environment.stackName],
  });

  return {
    async deploy(request, onActivity) {
      const clues = noClues();
      const toolkit = newToolkit(request, ioHost(onActivity, clues));
      try {
        await withAssembly(toolkit, request, (source) =>
          toolkit.deploy(source, {
            stacks: stacks(request),
            parameters: stackParametersFor(request.version),
          }),
        );
        return { ok: true, reason: null, stackChanged: clues.stackChanged };
      } catch (error) {
        return { ok: false, reason: failureReason(error, clues), stackChanged: clues.stackChanged };
      }
    },

    async diff(request): Promise<StackDiffResult> {
      const clues = noClues();
      const texts: string[] = [];
      const toolkit = newToolkit(
        request,
        ioHost(
          () => {},
          clues,
          (text) => texts.push(text),
        ),
      );
      try {
        const { diffs, lookupRoleArn } = await withAssembly(toolkit, request, async (source, synthesized) => {
          const diffs = await toolkit.diff(source, {
            stacks: stacks(request),
            method: DiffMethod.TemplateOnly(),
          });
          return { diffs, lookupRoleArn: synthesized().lookupRoleArn };
        });
        const deployed = await describeDeployedStack(
          request,
          credentials,
          options.readWithCredentials ? null : lookupRoleArn,
        );
        const resourceChanges = Object.values(diffs).reduce(
          (sum, diff) =>
            sum + diff.resources.filter((r) => r?.resourceType !== 'AWS::CDK::Metadata').differenceCount,
          0,
        );
        return {
          stackExists: deployed.exists,
          text: texts.join('\n').trimEnd(),
          resourceChanges,
          runningImageTag: deployed.imageTag,
        };
      } catch (error) {
        throw new Error(
          `cannot diff ${request.environment.stackName} against the deployed stack: ${failureReason(error, clues)}`,
          { cause: error },
        );
      }
    },
  };
}

/** What the synth of the environment's stack told about it. */
interface SynthesizedStack {
  /** The bootstrap lookup role's ARN (placeholders resolved), or null when the stack names none. */
  readonly lookupRoleArn: string | null;
}

/**
 * Synthesizes `request`'s stack with toolkit-lib into a temporary directory, runs `action` on it and
 * removes the directory, whether `action` succeeds or not.
 */
async function withAssembly<T>(
  toolkit: Toolkit,
  request: StackDeployRequest,
  action: (source: ICloudAssemblySource, synthesized: () => SynthesizedStack) => Promise<T>,
): Promise<T> {
  const { environment } = request;
  let synthesized: SynthesizedStack = { lookupRoleArn: null };
  // The deployer owns the cloud assembly's directory: left to toolkit-lib, every synth of a deploy
  // (one more after each context lookup) stays behind in the temp directory, assets and all.
  const outdir = await mkdtemp(join(tmpdir(), ASSEMBLY_DIR_PREFIX));
  try {
    const source = await toolkit.fromAssemblyBuilder(
      async (props) => {
        const { app } = buildApp(request.config, {
          environments: [environment.name],
          // One environment's stack is deployed: the tools account's stacks need not be synthesized.
          delivery: false,
          appProps: { outdir: props.outdir, context: props.context },
        });
        const assembly = app.synth();
        const arn = assembly.getStackByName(environment.stackName).lookupRole?.arn;
        synthesized = { lookupRoleArn: arn ? resolvePlaceholders(arn, environment) : null };
        return assembly;
      },
      { clobberEnv: false, outdir },
    );
    return await action(source, () => synthesized);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** An ARN of the cloud assembly with the environment's partition, account and region filled in. */
function resolvePlaceholders(arn: string, environment: StackDeployRequest['environment']): string {
  const { region } = environment;
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const values: Record<string, string> = {
    Partition: partition,
    AccountId: environment.account,
    Region: region,
  };
  // The assembly writes them as CloudFormation pseudo parameters: `${AWS::Partition}`.
  return arn.replace(/\$\{AWS::(\w+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
}

/**
 * Whether the stack is deployed and its `ImageTag`, from DescribeStacks through the bootstrap lookup
 * role (read-only), or with `credentials` themselves when that role cannot be assumed (as toolkit-lib's
 * template diff does best effort; it would then try the deploy role, we do not) or none is given (the
 * credentials are the environment's plan role).
 */
async function describeDeployedStack(
  request: StackDeployRequest,
  credentials: AwsCredentials | undefined,
  lookupRoleArn: string | null,
): Promise<{ readonly exists: boolean; readonly imageTag: string | null }> {
  const { region, stackName } = request.environment;
  let readWith = credentials;
  if (lookupRoleArn) readWith = (await assumeRole(lookupRoleArn, region, credentials)) ?? credentials;
  const cfn = new CloudFormationClient({ region, ...(readWith ? { credentials: readWith } : {}) });
  try {
    const { Stacks: [stack] = [] } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    // A stack only ever created through a change set that never ran has nothing deployed.
    if (!stack || stack.StackStatus === 'REVIEW_IN_PROGRESS') return { exists: false, imageTag: null };
    const imageTag = stack.Parameters?.find((p) => p.ParameterKey === IMAGE_TAG_PARAMETER)?.ParameterValue;
    return { exists: true, imageTag: imageTag ?? null };
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message)) {
      return { exists: false, imageTag: null };
    }
    throw error;
  } finally {
    cfn.destroy();
  }
}

/** `roleArn`'s temporary credentials, assumed from `credentials` (or the default chain); null when refused. */
async function assumeRole(
  roleArn: string,
  region: string,
  credentials: AwsCredentials | undefined,
): Promise<AwsCredentials | null> {
  const sts = new STSClient({ region, ...(credentials ? { credentials } : {}) });
  try {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'wheelhouse-plan' }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey) return null;
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } catch {
    return null;
  } finally {
    sts.destroy();
  }
}

/** `credentials` as toolkit-lib's base credentials; `region` only matters to stacks without one (ours all have one). */
function baseCredentials(credentials: AwsCredentials, region: string): IBaseCredentialsProvider {
  const provider = typeof credentials === 'function' ? credentials : async () => credentials;
  return BaseCredentials.custom({ provider, region });
}

/**
 * Why a deploy failed, on one line for people: toolkit-lib's message (which carries CloudFormation's
 * reasons when it could diagnose the failure) without the source locations it appends (stack frames
 * of this process, noise in Slack), then CloudFormation's reasons it left out, then other errors.
 */
function failureReason(error: unknown, clues: FailureClues): string {
  // toolkit-lib wraps long lines: compare and report with whitespace collapsed.
  const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
  const message = oneLine(withoutSourceLocations(error instanceof Error ? error.message : String(error)));
  const cloudFormation = clues.failedEvents
    // Resources CloudFormation cancels because another one failed say so, and nothing more.
    .filter((e) => !/^Resource (creation|update) cancelled$/.test(e.reason ?? ''))
    .filter((e) => !message.includes(oneLine(e.reason ?? '')))
    .map((e) => `${e.logicalId} (${e.resourceType}) ${e.status}: ${oneLine(e.reason ?? '')}`);
  const others = onceEach(clues.errors.map((e) => oneLine(withoutSourceLocations(e))));
  const reason = [message, ...cloudFormation, ...others].join('; ').replace(/^❌\s*/u, '');
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
}

/**
 * `messages` with those that differ only by an asset's hash (cdk-assets says the same for each asset a
 * refused upload fails) given once, followed by how many more said the same.
 */
function onceEach(messages: readonly string[]): string[] {
  const seen = new Map<string, { first: string; count: number }>();
  for (const message of messages) {
    const key = message.replace(/[0-9a-f]{16,}(\.\w+)?/g, '<asset>');
    const entry = seen.get(key);
    if (entry) entry.count += 1;
    else seen.set(key, { first: message, count: 1 });
  }
  return [...seen.values()].map(({ first, count }) =>
    count > 1 ? `${first} (and ${count - 1} more like it)` : first,
  );
}

/** `text` without toolkit-lib's `Source Location:` blocks (the line and the indented frames after it). */
function withoutSourceLocations(text: string): string {
  const kept: string[] = [];
  let inLocation = false;
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('Source Location:')) inLocation = true;
    else if (!inLocation || !/^\s{4,}/.test(line)) {
      inLocation = false;
      kept.push(line);
    }
  }
  return kept.join('\n');
}
