/**
 * The deployments of an ECS service as DescribeServices reports them, read by the rollout watch
 * (rollout-watch.ts) and the deploy's health check (target-health.ts). ECS API Reference,
 * Deployment: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html.
 */
import { z } from 'zod';

/** One deployment: `PRIMARY` is the one being rolled out, `ACTIVE` ones are older and draining. */
export const ecsDeployment = z.object({
  id: z.string().optional(),
  status: z.string().optional(),
  taskDefinition: z.string().optional(),
  /** `IN_PROGRESS`, `COMPLETED`, `FAILED`. */
  rolloutState: z.string().optional(),
  rolloutStateReason: z.string().optional(),
  desiredCount: z.number().optional(),
  runningCount: z.number().optional(),
  pendingCount: z.number().optional(),
  failedTasks: z.number().optional(),
});

/** One deployment, parsed. */
export type EcsDeployment = z.infer<typeof ecsDeployment>;

const describeServices = z.object({
  services: z.array(z.object({ deployments: z.array(ecsDeployment).optional() })).optional(),
});

/** The deployments of the first service in a DescribeServices response; none when it has no service. */
export function ecsDeployments(response: unknown): EcsDeployment[] {
  return describeServices.parse(response).services?.[0]?.deployments ?? [];
}
