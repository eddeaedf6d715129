import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { STACK_OUTPUTS } from '../../config';
import { buildApp } from '../../stacks/app';
import { exampleConfig } from '../support/example-config';
import { synthTemplates } from '../support/synth';

describe('the app', () => {
  it('has one stack per environment, named after it, in its own account and region', () => {
    const { stacks } = buildApp(exampleConfig(), { nag: false });
    expect(stacks.map((s) => [s.stackName, s.account, s.region])).toEqual([
      ['wheelhouse-dev', '222222222222', 'eu-west-1'],
      ['wheelhouse-stage', '333333333333', 'eu-west-1'],
      ['wheelhouse-prod', '444444444444', 'eu-west-1'],
    ]);
  });

  it('protects only the protected environment from stack deletion', () => {
    const { stacks } = buildApp(exampleConfig(), { nag: false });
    expect(stacks.map((s) => s.terminationProtection)).toEqual([false, false, true]);
  });

  it('fails when asked for an environment that is not configured', () => {
    expect(() => buildApp(exampleConfig(), { environments: ['qa'] })).toThrow(
      'unknown environment qa; known: dev, stage, prod',
    );
  });

  it('publishes every output the bot reads', () => {
    const prod = synthTemplates(exampleConfig(), ['prod']).prod!;
    for (const key of Object.values(STACK_OUTPUTS)) prod.hasOutput(key, { Value: Match.anyValue() });
    prod.hasOutput(STACK_OUTPUTS.bastionKeysParameterPath, {
      Value: '/wheelhouse/prod/bastion/authorized-keys/',
    });
    prod.hasOutput(STACK_OUTPUTS.bastionTunnelUser, { Value: 'tunnel' });
  });

  it('tags every resource with the project and environment', () => {
    const dev = synthTemplates(exampleConfig(), ['dev']).dev!;
    dev.hasResourceProperties('AWS::EC2::VPC', {
      Tags: Match.arrayWith([
        { Key: 'wheelhouse:environment', Value: 'dev' },
        { Key: 'wheelhouse:project', Value: 'wheelhouse' },
      ]),
    });
  });

  // The gate: one full synth of every environment with CloudFormation validation and cdk-nag on.
  it('synthesizes all environments with CloudFormation validation and zero unacknowledged cdk-nag findings', () => {
    delete process.env.CDK_VALIDATION;
    const outdir = mkdtempSync(join(tmpdir(), 'wheelhouse-synth-'));
    const { app } = buildApp(exampleConfig(), { appProps: { outdir } });
    app.synth();
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string; severity?: string }[] }[];
    };
    const findings = report.pluginReports.flatMap((r) =>
      r.violations.map((v) => `${r.pluginName}: ${v.ruleName} (${v.severity})`),
    );
    expect(findings).toEqual([]);
    expect(report.pluginReports.map((r) => r.pluginName)).toContain('AwsSolutions');
  }, 120_000);
});

describe('the delivery stacks', () => {
  it('come with the configuration’s delivery section, after the environments, whichever environments are selected', () => {
    process.env.CDK_VALIDATION = 'false';
    const { app, stacks, delivery } = buildApp(exampleConfig(), { nag: false, environments: ['dev'] });
    expect(stacks.map((s) => s.stackName)).toEqual(['wheelhouse-dev']);
    expect([delivery?.ci.stackName, delivery?.bot.stackName]).toEqual(['wheelhouse-ci', 'wheelhouse-bot']);
    expect(app.node.children.map((c) => c.node.id)).toEqual([
      'wheelhouse-dev',
      'wheelhouse-ci',
      'wheelhouse-bot',
    ]);
    // The bot operates every environment, not only the selected ones.
    expect(JSON.stringify(Template.fromStack(delivery!.bot).toJSON())).toContain('wheelhouse-prod-operator');
  });

  it('are left out without a delivery section, or when asked (a deploy of one environment)', () => {
    const without = exampleConfig((raw) => {
      delete raw.delivery;
    });
    expect(buildApp(without, { nag: false }).delivery).toBeNull();
    expect(
      buildApp(exampleConfig(), { nag: false, environments: ['dev'], delivery: false }).delivery,
    ).toBeNull();
  });
});
