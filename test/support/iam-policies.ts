/**
 * Reads IAM policies out of synthesized templates as plain strings, so that tests can compare whole
 * action sets and resource lists: `{ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, …]] }`
 * becomes `arn:aws:…`, and a reference to another resource becomes `${LogicalId}` or `${LogicalId.Attr}`.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type { FakeStatement } from './aws-account-fake';

/** One statement, with its actions and resources as sorted string lists. */
export interface FlatStatement {
  readonly sid: string | null;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly principal: unknown;
  readonly condition: unknown;
}

/** Renders CloudFormation intrinsics as strings (pseudo parameters as in the commercial partition). */
export function flatten(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flatten);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Ref' in object) {
      const ref = String(object.Ref);
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      return `\${${ref}}`;
    }
    if ('Fn::GetAtt' in object) return `\${${(object['Fn::GetAtt'] as string[]).join('.')}}`;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(flatten(p))).join(separator);
    }
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, flatten(v)]));
  }
  return value;
}

function list(value: unknown): string[] {
  const flat = flatten(value);
  return (Array.isArray(flat) ? flat : flat === undefined ? [] : [flat]).map(String).sort();
}

/** The logical id of the role named `roleName`; fails the test when there is none or several. */
export function roleLogicalId(template: Template, roleName: string): string {
  const ids = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } }));
  if (ids.length !== 1) throw new Error(`expected one role named ${roleName}, found ${ids.length}`);
  return ids[0]!;
}

/** The statements of every policy (inline or attached `AWS::IAM::Policy`) of the role with `logicalId`. */
export function roleStatements(template: Template, logicalId: string): FlatStatement[] {
  const role = template.toJSON().Resources[logicalId] as {
    Properties: { Policies?: { PolicyDocument: { Statement: unknown[] } }[] };
  };
  const documents = [
    ...(role.Properties.Policies ?? []).map((p) => p.PolicyDocument),
    ...Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === logicalId))
      .map((p) => p.Properties.PolicyDocument as { Statement: unknown[] }),
  ];
  return documents.flatMap((d) => d.Statement.map(toFlat));
}

/** The statements of the role's trust policy. */
export function trustStatements(template: Template, logicalId: string): FlatStatement[] {
  const role = template.toJSON().Resources[logicalId] as {
    Properties: { AssumeRolePolicyDocument: { Statement: unknown[] } };
  };
  return role.Properties.AssumeRolePolicyDocument.Statement.map(toFlat);
}

function toFlat(statement: unknown): FlatStatement {
  const s = statement as Record<string, unknown>;
  return {
    sid: (s.Sid as string | undefined) ?? null,
    effect: String(s.Effect),
    actions: list(s.Action),
    resources: list(s.Resource),
    principal: flatten(s.Principal),
    condition: flatten(s.Condition),
  };
}

/**
 * What the role named `roleName` allows, as the fake AWS account enforces it: the Allow statements of
 * its policies as synthesized. Throws on anything the fake account does not model (Deny, conditions).
 */
export function allowedStatements(template: Template, roleName: string): FakeStatement[] {
  return roleStatements(template, roleLogicalId(template, roleName)).map((s) => {
    if (s.effect !== 'Allow' || s.condition !== undefined) {
      throw new Error(
        `${roleName}: the fake account reads unconditional Allow statements only, got ${s.sid}`,
      );
    }
    return { actions: s.actions, resources: s.resources };
  });
}

/**
 * The `aws:PrincipalArn`s the role's trust policy admits, for a role trusted the way the environment
 * stacks trust the tools account: one statement, the account as principal, narrowed by `ArnEquals`.
 */
export function trustedPrincipalArns(template: Template, roleName: string): string[] {
  // The AssumeRole statement; sts:SetSourceIdentity and sts:TagSession have statements of their own.
  const statements = trustStatements(template, roleLogicalId(template, roleName)).filter((s) =>
    s.actions.includes('sts:AssumeRole'),
  );
  const [trust] = statements;
  const arns = (trust?.condition as { ArnEquals?: { 'aws:PrincipalArn'?: string[] } } | undefined)
    ?.ArnEquals?.['aws:PrincipalArn'];
  const account = /^arn:aws:iam::(\d{12}):root$/.exec(
    String((trust?.principal as { AWS?: unknown } | undefined)?.AWS),
  )?.[1];
  if (statements.length !== 1 || !arns || !account || arns.some((arn) => !arn.includes(`::${account}:`))) {
    throw new Error(`${roleName}: expected one trust statement of an account narrowed by aws:PrincipalArn`);
  }
  return arns;
}
