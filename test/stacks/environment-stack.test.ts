/**
 * Which repository each environment's service runs from: dev (`images: branch`) the branch repository,
 * stage and prod (`images: release`) the release repository, and of the registry's repositories the task's
 * execution role may pull from that one only.
 */
import { STACK_OUTPUTS } from '../../config';
import { exampleConfig } from '../support/example-config';
import { flatten, roleStatements } from '../support/iam-policies';
import { synthTemplates } from '../support/synth';

const REGISTRY = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';
const BRANCH_REPOSITORY = 'wheelhouse/service-branches';
const RELEASE_REPOSITORY = 'wheelhouse/service';

/**
 * A template's service task definition: its image, the ECR repositories its execution role may pull from by
 * name (`*` apart: whether any statement pulls from every repository), and the stack's RepositoryUri output.
 */
function serviceImage(template: ReturnType<typeof synthTemplates>[string]) {
  const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as {
    Properties: {
      ContainerDefinitions: { Name: string; Image: unknown }[];
      ExecutionRoleArn: { 'Fn::GetAtt': [string, string] };
    };
  }[];
  const container = task!.Properties.ContainerDefinitions.find((c) => c.Name === 'service')!;
  const executionRole = task!.Properties.ExecutionRoleArn['Fn::GetAtt'][0];
  return {
    image: flatten(container.Image),
    pulls: roleStatements(template, executionRole)
      .filter((s) => s.actions.includes('ecr:BatchGetImage'))
      .flatMap((s) => s.resources)
      .filter((resource) => resource !== '*'),
    pullsAnywhere: roleStatements(template, executionRole).some(
      (s) => s.actions.includes('ecr:BatchGetImage') && s.resources.includes('*'),
    ),
    repositoryUri: flatten(template.toJSON().Outputs[STACK_OUTPUTS.repositoryUri].Value),
  };
}

describe('EnvironmentStack', () => {
  const templates = synthTemplates(exampleConfig());

  it.each([
    ['dev', BRANCH_REPOSITORY],
    ['stage', RELEASE_REPOSITORY],
    ['prod', RELEASE_REPOSITORY],
  ])(
    "runs %s's service from %s, the one repository of the registry its execution role names",
    (env, repository) => {
      expect(serviceImage(templates[env]!)).toMatchObject({
        image: `${REGISTRY}/${repository}:\${ImageTag}`,
        pulls: [`arn:aws:ecr:eu-west-1:111111111111:repository/${repository}`],
        repositoryUri: `${REGISTRY}/${repository}`,
      });
    },
  );

  it('lets no execution role pull from any repository but its service’s, FireLens or not', () => {
    // FireLens' Fluent Bit and the Datadog Agent come from ECR Public (stacks/datadog/datadog-agent-sidecar.ts),
    // which needs no permission; CDK's default Fluent Bit image granted ECR pulls on "*" where Datadog runs.
    expect(
      Object.entries(templates).map(([env, template]) => [env, serviceImage(template).pullsAnywhere]),
    ).toEqual([
      ['dev', false],
      ['stage', false],
      ['prod', false],
    ]);
    const config = exampleConfig();
    expect(config.environments.map((e) => [e.name, e.datadog.enabled])).toEqual([
      ['dev', false],
      ['stage', true],
      ['prod', true],
    ]);
  });

  it('follows a configured branch repository name and an environment’s images setting', () => {
    // GIVEN a branch repository of another name, and stage taking branch images
    const config = exampleConfig((raw) => {
      raw.registry.branchRepositoryName = 'wheelhouse/scratch';
      raw.environments.stage.images = 'branch';
    });

    // WHEN
    const { dev, stage, prod } = synthTemplates(config);

    // THEN
    expect(serviceImage(dev!).image).toBe(`${REGISTRY}/wheelhouse/scratch:\${ImageTag}`);
    expect(serviceImage(stage!).pulls).toEqual([
      'arn:aws:ecr:eu-west-1:111111111111:repository/wheelhouse/scratch',
    ]);
    expect(serviceImage(prod!).pulls).toEqual([
      `arn:aws:ecr:eu-west-1:111111111111:repository/${RELEASE_REPOSITORY}`,
    ]);
  });
});
