/**
 * One container of a synthesized `AWS::ECS::TaskDefinition`, as ECS will run it: its user, its
 * environment and secrets, its mount points and the task's volumes behind them, its root filesystem,
 * its command and entry point.
 */
import type { Template } from 'aws-cdk-lib/assertions';

/** A mount point and the task volume behind it. */
export interface TaskMount {
  readonly containerPath: string;
  readonly readOnly: boolean;
  readonly sourceVolume: string;
  /**
   * True for a bind mount with no host path (the only kind Fargate has): ECS gives the container an
   * empty directory on the task's ephemeral storage.
   */
  readonly emptyBindMount: boolean;
}

/** The parts of a container definition that decide how its process starts. */
export interface TaskContainer {
  readonly name: string;
  /** `User`, e.g. `1000` or `1000:1000`; null: the image's USER. */
  readonly user: string | null;
  /** `Environment`: plain values as strings; CloudFormation expressions (tokens) as they are. */
  readonly environment: Readonly<Record<string, string | object>>;
  /** `Secrets`: the variable names (their values come from Secrets Manager at start). */
  readonly secrets: readonly string[];
  readonly mounts: readonly TaskMount[];
  readonly readonlyRootFilesystem: boolean;
  /** `Command`, or null: the image's CMD. */
  readonly command: readonly string[] | null;
  /** `EntryPoint`, or null: the image's ENTRYPOINT. */
  readonly entryPoint: readonly string[] | null;
}

interface CfnContainer {
  readonly Name: string;
  readonly User?: string;
  readonly Environment?: readonly { readonly Name: string; readonly Value: string | object }[];
  readonly Secrets?: readonly { readonly Name: string }[];
  readonly MountPoints?: readonly { ContainerPath: string; ReadOnly?: boolean; SourceVolume: string }[];
  readonly ReadonlyRootFilesystem?: boolean;
  readonly Command?: readonly string[];
  readonly EntryPoint?: readonly string[];
}

interface CfnVolume {
  readonly Name: string;
  readonly Host?: { readonly SourcePath?: string };
  readonly EFSVolumeConfiguration?: unknown;
  readonly DockerVolumeConfiguration?: unknown;
  readonly ConfiguredAtLaunch?: boolean;
}

/** The container `name` of the template's only task definition. @throws Error when either is missing. */
export function taskContainer(template: Template, name: string): TaskContainer {
  const definitions = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  if (definitions.length !== 1) throw new Error(`expected one task definition, found ${definitions.length}`);
  const properties = definitions[0]!.Properties as {
    ContainerDefinitions: readonly CfnContainer[];
    Volumes?: readonly CfnVolume[];
  };
  const container = properties.ContainerDefinitions.find((c) => c.Name === name);
  if (!container) {
    const names = properties.ContainerDefinitions.map((c) => c.Name).join(', ');
    throw new Error(`no container ${name} in the task definition (it has ${names})`);
  }
  const volumes = new Map((properties.Volumes ?? []).map((v) => [v.Name, v]));
  return {
    name,
    user: container.User ?? null,
    environment: Object.fromEntries((container.Environment ?? []).map((e) => [e.Name, e.Value])),
    secrets: (container.Secrets ?? []).map((s) => s.Name),
    mounts: (container.MountPoints ?? []).map((m) => {
      const volume = volumes.get(m.SourceVolume);
      if (!volume) throw new Error(`mount point ${m.ContainerPath}: no task volume ${m.SourceVolume}`);
      return {
        containerPath: m.ContainerPath,
        readOnly: m.ReadOnly ?? false,
        sourceVolume: m.SourceVolume,
        emptyBindMount:
          volume.Host?.SourcePath === undefined &&
          volume.EFSVolumeConfiguration === undefined &&
          volume.DockerVolumeConfiguration === undefined &&
          volume.ConfiguredAtLaunch !== true,
      };
    }),
    readonlyRootFilesystem: container.ReadonlyRootFilesystem ?? false,
    command: container.Command ?? null,
    entryPoint: container.EntryPoint ?? null,
  };
}
