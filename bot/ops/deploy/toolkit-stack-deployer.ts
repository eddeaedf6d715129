/**
 * The real {@link StackDeployer}: toolkit-lib synthesizes the CDK app in `stacks/` in-process (the
 * same app `cdk deploy` and CI deploy, so no deploy undoes another) and deploys the one stack.
 * This module is loaded on first use only (toolkit-lib and aws-cdk-lib take seconds to load).
 */

import type { IIoHost, IoMessage, IoRequest } from '@aws-cdk/toolkit-lib';
import { StackParameters, StackSelectionStrategy, Toolkit } from '@aws-cdk/toolkit-lib';
import { IMAGE_TAG_PARAMETER } from '../../../config';
import { buildApp } from '../../../stacks/app';
import type { AwsCredentials } from '../aws-clients';
import type { StackActivityEvent, StackDeployer } from './stack-deployer';

/** toolkit-lib's message code for a CloudFormation stack event. */
const STACK_ACTIVITY = 'CDK_TOOLKIT_I5502';

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

/** A toolkit-lib IoHost that forwards stack events and answers every question with its default. */
function ioHost(onActivity: (event: StackActivityEvent) => void, errors: string[]): IIoHost {
  return {
    async notify(msg: IoMessage<unknown>) {
      if (msg.code === STACK_ACTIVITY) {
        const event = (msg.data as ActivityData | undefined)?.event;
        if (event?.LogicalResourceId && event.ResourceStatus) {
          onActivity({
            logicalId: event.LogicalResourceId,
            resourceType: event.ResourceType ?? '',
            status: event.ResourceStatus,
            reason: event.ResourceStatusReason ?? null,
          });
        }
      } else if (msg.level === 'error') {
        errors.push(msg.message);
      }
    },
    async requestResponse<T>(msg: IoRequest<unknown, T>): Promise<T> {
      // Nobody is at a terminal: the bot deploys what was approved in Slack.
      return msg.defaultResponse;
    },
  };
}

/** The toolkit-lib deployer. Credentials come from the SDK's default chain, like the bot's own clients. */
export function toolkitStackDeployer(_credentials?: AwsCredentials): StackDeployer {
  return {
    async deploy(request, onActivity) {
      const errors: string[] = [];
      const toolkit = new Toolkit({ ioHost: ioHost(onActivity, errors), color: false, emojis: false });
      try {
        const source = await toolkit.fromAssemblyBuilder(
          async (props) => {
            const { app } = buildApp(request.config, {
              environments: [request.environment.name],
              appProps: { outdir: props.outdir, context: props.context },
            });
            return app.synth();
          },
          { clobberEnv: false },
        );
        await toolkit.deploy(source, {
          stacks: {
            strategy: StackSelectionStrategy.PATTERN_MUST_MATCH_SINGLE,
            patterns: [request.environment.stackName],
          },
          parameters: stackParametersFor(request.version),
        });
        return { ok: true, reason: null };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, reason: [message, ...errors].join(' ').slice(0, 1000) };
      }
    },
  };
}
