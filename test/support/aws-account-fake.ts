/**
 * A bootstrapped AWS account on a local port, for what a CDK deploy does with it: STS (who am I,
 * assume the bootstrap roles), EC2 (the availability zones a synth looks up), SSM (the bootstrap
 * version), S3 (the assets bucket) and CloudFormation (stacks, change sets, stack events). It speaks the real wire protocols (see `aws-wire.ts`), so the
 * AWS SDK and toolkit-lib run unchanged against it with `AWS_ENDPOINT_URL` pointing here.
 *
 * Requests must be signed with a key the account knows: a long-term key given at start, or a
 * session key it issued through AssumeRole (with its session token). Principals of other accounts
 * see an empty account, as they would in AWS. Operations it does not model answer a client error
 * and are listed in {@link AwsAccountFake.unsupported}, so a test can assert there were none.
 *
 * IAM, as far as a test needs it: the bootstrap roles may be assumed by anyone the caller's own policy
 * lets (`cdk bootstrap --trust`); other roles are declared ({@link FakeRole}) with the principals their
 * trust policy admits and what their sessions may do. A principal or role with statements is held to
 * them on every call (but GetCallerIdentity, which needs no permission) and refused with IAM's
 * AccessDenied otherwise; refusals are listed in {@link AwsAccountFake.denied}. Without statements a
 * principal may do anything, as before.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AwsError,
  credentialScope,
  decodeQuery,
  ec2Error,
  ec2Response,
  escapeXml,
  jsonError,
  jsonResponse,
  type QueryValue,
  queryError,
  queryResponse,
  restXmlError,
  restXmlResponse,
  s3Payload,
  type WireResponse,
  type XmlObject,
} from './aws-wire';

/** One Allow statement of an identity policy: actions and resources, with IAM's `*` and `?` wildcards. */
export interface FakeStatement {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/** A long-term access key the account accepts, and the principal it belongs to. */
export interface FakePrincipal {
  readonly accessKeyId: string;
  /** E.g. `arn:aws:iam::111111111111:user/wheelhouse-bot`; its account may be another one. */
  readonly arn: string;
  /**
   * What trust policies see as `aws:PrincipalArn`: for a role's session (a key that stands for a role
   * assumed elsewhere, e.g. with OIDC), the role's ARN. @default arn
   */
  readonly principalArn?: string;
  /** Its identity policy. @default unrestricted */
  readonly allow?: readonly FakeStatement[];
}

/** A role of the account besides the bootstrap roles: whom it trusts and what its sessions may do. */
export interface FakeRole {
  /** Its name: its ARN is `arn:aws:iam::<account>:role/<name>`. */
  readonly name: string;
  /** The `aws:PrincipalArn`s its trust policy admits. */
  readonly trustedPrincipalArns: readonly string[];
  /** Its identity policy. */
  readonly allow: readonly FakeStatement[];
}

/** Options for {@link AwsAccountFake.start}. */
export interface AwsAccountFakeOptions {
  /** The account's id. */
  readonly account: string;
  /** The one region it is bootstrapped in. */
  readonly region: string;
  /** Who may call it. */
  readonly principals: readonly FakePrincipal[];
  /** Roles besides the bootstrap roles. @default none */
  readonly roles?: readonly FakeRole[];
  /** The version `cdk bootstrap` left in SSM and the CDKToolkit stack. @default 30 */
  readonly bootstrapVersion?: number;
  /** The region's availability zones. @default the region's a, b and c */
  readonly availabilityZones?: readonly string[];
}

/** One call the account answered (or refused). */
export interface AwsCall {
  /** The signing name: `sts`, `cloudformation`, `ssm`, `s3`, … */
  readonly service: string;
  /** The operation (`CreateChangeSet`), or for S3 the method and what it addressed (`PUT object`). */
  readonly action: string;
  /** The ARN of the caller (for an assumed role, the role's session ARN), or null if unsigned. */
  readonly caller: string | null;
  /** The decoded request: awsQuery parameters, the JSON body, or S3's bucket, key and query. */
  readonly params: Record<string, unknown>;
}

/** A stack to start with, as an earlier deploy left it. */
export interface FakeStackInit {
  readonly name: string;
  readonly template: unknown;
  /** Parameter values by key (SSM-typed parameters hold the parameter's name, as CloudFormation keeps them). */
  readonly parameters: Readonly<Record<string, string>>;
  /** Outputs not derived from a parameter (`{ Ref: Param }` outputs follow their parameter). */
  readonly outputs?: Readonly<Record<string, string>>;
}

/** A CloudFormation stack event as DescribeStackEvents returns it. */
export interface FakeStackEvent {
  readonly EventId: string;
  readonly StackId: string;
  readonly StackName: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
  readonly ResourceType: string;
  readonly Timestamp: Date;
  readonly ResourceStatus: string;
  readonly ResourceStatusReason?: string;
  readonly ClientRequestToken?: string;
}

/** A change set as the account keeps it. */
export interface FakeChangeSet {
  readonly id: string;
  readonly name: string;
  readonly stackId: string;
  /** The CreateChangeSet request as decoded from the wire. */
  readonly request: Record<string, QueryValue>;
  /** The template it would deploy, as CloudFormation read it (from TemplateBody or the S3 TemplateURL). */
  readonly templateBody: string;
  /** Every template parameter's value after the update (UsePreviousValue resolved). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly created: Date;
  status: 'CREATE_COMPLETE' | 'FAILED';
  executionStatus: 'AVAILABLE' | 'UNAVAILABLE' | 'EXECUTE_COMPLETE' | 'EXECUTE_FAILED';
  readonly statusReason: string | null;
  readonly changes: readonly ResourceChange[];
}

interface ResourceChange {
  readonly action: 'Add' | 'Modify' | 'Remove';
  readonly logicalId: string;
  readonly resourceType: string;
}

interface FakeStack {
  readonly id: string;
  readonly name: string;
  readonly created: Date;
  updated: Date | null;
  status: string;
  statusReason: string | null;
  templateBody: string;
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  tags: { Key: string; Value: string }[];
  terminationProtection: boolean;
  /** Oldest first. */
  readonly events: FakeStackEvent[];
  readonly changeSets: Map<string, FakeChangeSet>;
  readonly physicalIds: Map<string, string>;
}

interface Caller {
  readonly arn: string;
  readonly account: string;
  /** `aws:PrincipalArn`: the role's ARN for a role's session. */
  readonly principalArn: string;
  /** The identity policy, or null for a principal that may do anything. */
  readonly allow: readonly FakeStatement[] | null;
}

interface Session {
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly caller: Caller;
}

type Protocol = 'query' | 'json' | 'rest-xml';

const QUERY_NAMESPACES: Readonly<Record<string, string>> = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  cloudformation: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
};
const QUALIFIER = 'hnb659fds';
const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";

/** The fake account; see the module comment. */
export class AwsAccountFake {
  /** Every call, in order. */
  readonly calls: AwsCall[] = [];
  /** Calls to operations the fake does not model (`service:Action`). */
  readonly unsupported: string[] = [];
  /** Calls refused by IAM (also in {@link calls}), with the IAM action and the resource. */
  readonly denied: (AwsCall & { readonly iamAction: string; readonly resource: string })[] = [];
  private readonly sessions = new Map<string, Session>();
  private readonly stacks = new Map<string, FakeStack>();
  private readonly objects = new Map<string, Buffer>();
  private readonly ssmParameters = new Map<string, string>();
  private readonly bucket: string;
  private readonly bootstrapVersion: number;
  private nextChangeSetFailure: string | null = null;
  private nextUpdateFailure: { logicalId: string; reason: string } | null = null;
  private lastEventTime = 0;

  private constructor(
    private readonly server: Server,
    /** The endpoint for `AWS_ENDPOINT_URL`, e.g. `http://127.0.0.1:41234`. */
    readonly endpoint: string,
    private readonly options: AwsAccountFakeOptions,
  ) {
    const { account, region } = options;
    this.bootstrapVersion = options.bootstrapVersion ?? 30;
    this.bucket = `cdk-${QUALIFIER}-assets-${account}-${region}`;
    this.ssmParameters.set(`/cdk-bootstrap/${QUALIFIER}/version`, String(this.bootstrapVersion));
    this.putStack({
      name: 'CDKToolkit',
      template: { Resources: { StagingBucket: { Type: 'AWS::S3::Bucket' } } },
      parameters: {},
      outputs: {
        BucketName: this.bucket,
        BucketDomainName: `${this.bucket}.s3.${region}.amazonaws.com`,
        ImageRepositoryName: `cdk-${QUALIFIER}-container-assets-${account}-${region}`,
        BootstrapVersion: String(this.bootstrapVersion),
      },
    });
  }

  /** Starts the account on a free port of 127.0.0.1. */
  static async start(options: AwsAccountFakeOptions): Promise<AwsAccountFake> {
    let fake: AwsAccountFake | undefined;
    const server = createServer((req, res) => void fake!.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new AwsAccountFake(server, `http://127.0.0.1:${port}`, options);
    return fake;
  }

  /** Creates (or replaces) a stack in UPDATE_COMPLETE, as an earlier deploy left it. */
  putStack(init: FakeStackInit): void {
    const { account, region } = this.options;
    const created = new Date(Date.now() - 86_400_000);
    const stack: FakeStack = {
      id: `arn:aws:cloudformation:${region}:${account}:stack/${init.name}/${randomUUID()}`,
      name: init.name,
      created,
      updated: created,
      status: 'UPDATE_COMPLETE',
      statusReason: null,
      templateBody: JSON.stringify(init.template, null, 1),
      parameters: { ...init.parameters },
      outputs: { ...init.outputs },
      tags: [],
      terminationProtection: false,
      events: [],
      changeSets: new Map(),
      physicalIds: new Map(),
    };
    stack.outputs = { ...stack.outputs, ...this.parameterOutputs(stack) };
    this.stacks.set(init.name, stack);
  }

  /** A stack's current state: status, parameter values, template and events (oldest first). */
  stack(name: string): {
    readonly status: string;
    readonly parameters: Readonly<Record<string, string>>;
    readonly outputs: Readonly<Record<string, string>>;
    readonly template: unknown;
    readonly events: readonly FakeStackEvent[];
  } {
    const stack = this.stacks.get(name);
    if (!stack) throw new Error(`no stack ${name} in the fake account`);
    return {
      status: stack.status,
      parameters: stack.parameters,
      outputs: stack.outputs,
      template: JSON.parse(stack.templateBody),
      events: stack.events,
    };
  }

  /** Every change set created on `stackName`, oldest first (executed ones included). */
  changeSets(stackName: string): readonly FakeChangeSet[] {
    return [...(this.stacks.get(stackName)?.changeSets.values() ?? [])];
  }

  /** An object in the account's assets bucket, or undefined. */
  assetObject(key: string): Buffer | undefined {
    return this.objects.get(`${this.bucket}/${key}`);
  }

  /** The next change set fails to create, with `reason` as its StatusReason. */
  failNextChangeSet(reason: string): void {
    this.nextChangeSetFailure = reason;
  }

  /** The next executed change set fails on `logicalId` with `reason`, and the stack rolls back. */
  failNextUpdate(logicalId: string, reason: string): void {
    this.nextUpdateFailure = { logicalId, reason };
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const requestId = randomUUID();
    const scope = credentialScope(req.headers);
    const service = scope?.service ?? 'unknown';
    const protocol: Protocol = req.headers['x-amz-target']
      ? 'json'
      : String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
        ? 'query'
        : 'rest-xml';
    let response: WireResponse;
    try {
      const caller = this.authenticate(scope, protocol);
      response = this.dispatch(service, protocol, caller, req, raw, requestId);
    } catch (error) {
      const aws = error instanceof AwsError ? error : new AwsError('InternalFailure', String(error), 500);
      if (protocol === 'query' && service === 'ec2') response = ec2Error(aws, requestId);
      else if (protocol === 'query') {
        response = queryError(aws, QUERY_NAMESPACES[service] ?? QUERY_NAMESPACES.cloudformation!, requestId);
      } else if (protocol === 'json') response = jsonError(aws, requestId);
      else response = restXmlError(aws, requestId);
    }
    res.writeHead(response.status, {
      ...response.headers,
      'content-length': Buffer.byteLength(response.body),
    });
    res.end(req.method === 'HEAD' ? undefined : response.body);
  }

  private authenticate(scope: ReturnType<typeof credentialScope>, protocol: Protocol): Caller | null {
    if (!scope) return null;
    const principal = this.options.principals.find((p) => p.accessKeyId === scope.accessKeyId);
    if (principal) {
      return {
        arn: principal.arn,
        account: accountOf(principal.arn),
        principalArn: principal.principalArn ?? principal.arn,
        allow: principal.allow ?? null,
      };
    }
    const session = this.sessions.get(scope.accessKeyId);
    if (session && session.sessionToken === scope.sessionToken) return session.caller;
    throw protocol === 'rest-xml'
      ? new AwsError(
          'InvalidAccessKeyId',
          'The AWS Access Key Id you provided does not exist in our records.',
          403,
        )
      : new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  }

  private dispatch(
    service: string,
    protocol: Protocol,
    caller: Caller | null,
    req: IncomingMessage,
    raw: Buffer,
    requestId: string,
  ): WireResponse {
    if (protocol === 'query') {
      const { action, params } = decodeQuery(raw.toString('utf8'));
      const call: AwsCall = { service, action, caller: caller?.arn ?? null, params };
      this.calls.push(call);
      const signed = this.signed(caller);
      this.authorize(call, signed, this.queryResource(service, action, params));
      if (service === 'ec2') {
        const result = this.ec2(action, signed);
        if (result === undefined) throw this.unsupportedOperation(service, action);
        return ec2Response(action, result, requestId);
      }
      const namespace = QUERY_NAMESPACES[service];
      const result =
        service === 'sts'
          ? this.sts(call, params, signed)
          : service === 'cloudformation'
            ? this.cloudFormation(action, params, signed)
            : undefined;
      if (!namespace || result === undefined) throw this.unsupportedOperation(service, action);
      return queryResponse(action, namespace, result, requestId);
    }
    if (protocol === 'json') {
      const action = String(req.headers['x-amz-target']).split('.').pop() ?? '';
      const params = (raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {}) as Record<string, unknown>;
      const call: AwsCall = { service, action, caller: caller?.arn ?? null, params };
      this.calls.push(call);
      const signed = this.signed(caller);
      const { account, region } = this.options;
      // SSM parameter names start with a slash, which the ARN does not repeat.
      const name = String(params.Name ?? '').replace(/^\//, '');
      this.authorize(
        call,
        signed,
        service === 'ssm' ? `arn:aws:ssm:${region}:${account}:parameter/${name}` : '*',
      );
      const result = service === 'ssm' ? this.ssm(action, params, signed) : undefined;
      if (result === undefined) throw this.unsupportedOperation(service, action);
      return jsonResponse(result, requestId);
    }
    return this.s3(req, raw, caller, requestId);
  }

  private signed(caller: Caller | null): Caller {
    if (!caller)
      throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    return caller;
  }

  /** The resource an awsQuery call acts on, as IAM names it. */
  private queryResource(service: string, action: string, params: Record<string, QueryValue>): string {
    const { account, region } = this.options;
    if (service === 'sts' && action === 'AssumeRole') return String(params.RoleArn);
    if (service === 'cloudformation' && params.StackName !== undefined) {
      const wanted = String(params.StackName);
      if (wanted.startsWith('arn:')) return wanted;
      // A stack that does not exist is named with a wildcard id, as IAM evaluates it.
      return this.stacks.get(wanted)?.id ?? `arn:aws:cloudformation:${region}:${account}:stack/${wanted}/*`;
    }
    return '*';
  }

  /**
   * Throws IAM's AccessDenied when `caller`'s identity policy does not allow the call on `resource`.
   * GetCallerIdentity needs no permission.
   */
  private authorize(call: AwsCall, caller: Caller, resource: string): void {
    if (caller.allow === null || (call.service === 'sts' && call.action === 'GetCallerIdentity')) return;
    const iamAction = `${call.service}:${call.action}`;
    const allowed = caller.allow.some(
      (statement) =>
        statement.actions.some((a) => wildcard(a, iamAction, true)) &&
        statement.resources.some((r) => wildcard(r, resource, false)),
    );
    if (allowed) return;
    this.denied.push({ ...call, iamAction, resource });
    throw new AwsError(
      'AccessDenied',
      `User: ${caller.arn} is not authorized to perform: ${iamAction} on resource: ${resource} because no identity-based policy allows the ${iamAction} action`,
      403,
    );
  }

  private unsupportedOperation(service: string, action: string): AwsError {
    this.unsupported.push(`${service}:${action}`);
    return new AwsError('UnsupportedOperation', `the fake account does not model ${service}:${action}`);
  }

  // --- STS ------------------------------------------------------------------------------------

  private sts(call: AwsCall, params: Record<string, QueryValue>, caller: Caller): XmlObject | undefined {
    switch (call.action) {
      case 'GetCallerIdentity':
        return {
          Arn: caller.arn,
          UserId: `AIDA${hash(caller.arn, 16).toUpperCase()}`,
          Account: caller.account,
        };
      case 'AssumeRole': {
        const roleArn = String(params.RoleArn);
        const session = String(params.RoleSessionName);
        const { account, region } = this.options;
        const roleName = roleArn.split('/').pop() ?? '';
        const bootstrapRole = new RegExp(
          `^arn:aws:iam::${account}:role/cdk-${QUALIFIER}-(deploy|file-publishing|image-publishing|lookup)-role-${account}-${region}$`,
        );
        const declared = this.options.roles?.find(
          (r) => `arn:aws:iam::${account}:role/${r.name}` === roleArn,
        );
        const trusted =
          bootstrapRole.test(roleArn) || declared?.trustedPrincipalArns.includes(caller.principalArn);
        if (!trusted) {
          this.denied.push({ ...call, iamAction: 'sts:AssumeRole', resource: roleArn });
          throw new AwsError(
            'AccessDenied',
            `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
            403,
          );
        }
        const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
        const assumed: Session = {
          secretAccessKey: randomBytes(20).toString('base64'),
          sessionToken: randomBytes(32).toString('base64'),
          caller: {
            arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${session}`,
            account,
            principalArn: roleArn,
            allow: declared?.allow ?? null,
          },
        };
        this.sessions.set(accessKeyId, assumed);
        return {
          Credentials: {
            AccessKeyId: accessKeyId,
            SecretAccessKey: assumed.secretAccessKey,
            SessionToken: assumed.sessionToken,
            Expiration: new Date(Date.now() + 3_600_000),
          },
          AssumedRoleUser: {
            Arn: assumed.caller.arn,
            AssumedRoleId: `AROA${hash(roleArn, 16).toUpperCase()}:${session}`,
          },
        };
      }
      default:
        return undefined;
    }
  }

  // --- EC2 ------------------------------------------------------------------------------------

  private ec2(action: string, caller: Caller): XmlObject | undefined {
    if (action !== 'DescribeAvailabilityZones') return undefined;
    const { region, availabilityZones } = this.options;
    const zones =
      caller.account === this.options.account
        ? (availabilityZones ?? ['a', 'b', 'c'].map((z) => `${region}${z}`))
        : [];
    return {
      availabilityZoneInfo: zones.map((zone, i) => ({
        zoneName: zone,
        zoneState: 'available',
        regionName: region,
        zoneId: `${region.replace(/-/g, '').slice(0, 4)}-az${i + 1}`,
        zoneType: 'availability-zone',
        optInStatus: 'opt-in-not-required',
        groupName: region,
        networkBorderGroup: region,
        messageSet: [],
      })),
    };
  }

  // --- SSM ------------------------------------------------------------------------------------

  private ssm(action: string, params: Record<string, unknown>, caller: Caller): unknown {
    if (action !== 'GetParameter') return undefined;
    const name = String(params.Name);
    const value = caller.account === this.options.account ? this.ssmParameters.get(name) : undefined;
    if (value === undefined) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
    return { Parameter: { Name: name, Type: 'String', Value: value, Version: 1, DataType: 'text' } };
  }

  // --- S3 -------------------------------------------------------------------------------------

  private s3(req: IncomingMessage, raw: Buffer, caller: Caller | null, requestId: string): WireResponse {
    const url = new URL(req.url ?? '/', this.endpoint);
    const [bucket = '', ...rest] = url.pathname.replace(/^\//, '').split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    const action = `${method} ${key ? 'object' : (Object.keys(query).filter((k) => k !== 'x-id')[0] ?? 'bucket')}`;
    const call: AwsCall = {
      service: 's3',
      action,
      caller: caller?.arn ?? null,
      params: { bucket, key, query },
    };
    this.calls.push(call);
    const who = this.signed(caller);
    // IAM's names of the S3 calls the deploy makes; the policy check sees them, the call log keeps the method.
    const s3Action = key
      ? { GET: 'GetObject', HEAD: 'GetObject', PUT: 'PutObject' }[method]
      : 'location' in query
        ? 'GetBucketLocation'
        : 'encryption' in query
          ? 'GetEncryptionConfiguration'
          : 'ListBucket';
    this.authorize(
      { ...call, action: s3Action ?? action },
      who,
      key ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`,
    );
    if (bucket !== this.bucket)
      throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    const owner = req.headers['x-amz-expected-bucket-owner'];
    if (who.account !== this.options.account || (owner && owner !== this.options.account)) {
      throw new AwsError('AccessDenied', 'Access Denied', 403);
    }
    const ns = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
    if (!key && method === 'GET' && 'location' in query) {
      return restXmlResponse(
        `<LocationConstraint ${ns}>${this.options.region}</LocationConstraint>`,
        requestId,
      );
    }
    if (!key && method === 'GET' && 'encryption' in query) {
      // What `cdk bootstrap` sets up by default: SSE-KMS with the AWS managed key.
      return restXmlResponse(
        `<ServerSideEncryptionConfiguration ${ns}><Rule><ApplyServerSideEncryptionByDefault>` +
          '<SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>' +
          '</ServerSideEncryptionConfiguration>',
        requestId,
      );
    }
    if (!key && method === 'GET' && query['list-type'] === '2') {
      const prefix = query.prefix ?? '';
      const max = Number(query['max-keys'] ?? 1000);
      const keys = [...this.objects.keys()]
        .filter((k) => k.startsWith(`${bucket}/${prefix}`))
        .map((k) => k.slice(bucket.length + 1))
        .sort()
        .slice(0, max);
      const contents = keys
        .map(
          (k) =>
            `<Contents><Key>${escapeXml(k)}</Key><Size>${this.objects.get(`${bucket}/${k}`)!.length}</Size>` +
            `<StorageClass>STANDARD</StorageClass></Contents>`,
        )
        .join('');
      return restXmlResponse(
        `<ListBucketResult ${ns}><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
          `<KeyCount>${keys.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>false</IsTruncated>` +
          `${contents}</ListBucketResult>`,
        requestId,
      );
    }
    if (key && method === 'PUT') {
      const body = s3Payload(req.headers, raw);
      this.objects.set(`${bucket}/${key}`, body);
      return restXmlResponse(null, requestId, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
    }
    if (key && (method === 'GET' || method === 'HEAD')) {
      const body = this.objects.get(`${bucket}/${key}`);
      if (!body) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404);
      return { status: 200, headers: { 'x-amz-request-id': requestId }, body: body.toString('utf8') };
    }
    throw this.unsupportedOperation('s3', action);
  }

  // --- CloudFormation -------------------------------------------------------------------------

  private cloudFormation(
    action: string,
    params: Record<string, QueryValue>,
    caller: Caller,
  ): XmlObject | undefined {
    // Another account's principal sees that account's (empty) CloudFormation.
    const visible = caller.account === this.options.account;
    const find = (nameOrId: QueryValue | undefined): FakeStack => {
      const wanted = String(nameOrId ?? '');
      const stack = visible
        ? [...this.stacks.values()].find((s) => s.name === wanted || s.id === wanted)
        : undefined;
      if (!stack) throw new AwsError('ValidationError', `Stack with id ${wanted} does not exist`);
      return stack;
    };
    switch (action) {
      case 'DescribeStacks':
        return { Stacks: [this.describeStack(find(params.StackName))] };
      case 'GetTemplate':
        return {
          TemplateBody: find(params.StackName).templateBody,
          StagesAvailable: ['Original', 'Processed'],
        };
      case 'DescribeStackEvents': {
        const events = [...find(params.StackName).events].reverse();
        const start = Number(params.NextToken ?? 0);
        const page = events.slice(start, start + 100);
        return {
          StackEvents: page as unknown as XmlObject[],
          NextToken: start + 100 < events.length ? String(start + 100) : undefined,
        };
      }
      case 'CreateChangeSet':
        return this.createChangeSet(find(params.StackName), params);
      case 'DescribeChangeSet': {
        const changeSet = findChangeSet(find(params.StackName), params.ChangeSetName);
        return describeChangeSet(changeSet, find(params.StackName));
      }
      case 'ListChangeSets':
        return {
          Summaries: [...find(params.StackName).changeSets.values()]
            // Executing a change set deletes the stack's change sets; the fake keeps them for tests only.
            .filter((c) => c.executionStatus !== 'EXECUTE_COMPLETE')
            .map((c) => ({
              ChangeSetId: c.id,
              ChangeSetName: c.name,
              StackId: c.stackId,
              Status: c.status,
              ExecutionStatus: c.executionStatus,
              StatusReason: c.statusReason,
              CreationTime: c.created,
            })),
        };
      case 'DeleteChangeSet': {
        const stack = find(params.StackName);
        const wanted = String(params.ChangeSetName);
        const changeSet = [...stack.changeSets.values()].find((c) => c.name === wanted || c.id === wanted);
        // By name, deleting what is not there is a no-op (toolkit-lib relies on it); by ARN it is an error.
        if (!changeSet && wanted.startsWith('arn:')) throw changeSetNotFound(wanted);
        if (changeSet && changeSet.executionStatus !== 'EXECUTE_COMPLETE')
          stack.changeSets.delete(changeSet.id);
        return {};
      }
      case 'ExecuteChangeSet': {
        const stack = find(params.StackName);
        this.execute(
          stack,
          findChangeSet(stack, params.ChangeSetName),
          String(params.ClientRequestToken ?? ''),
        );
        return {};
      }
      case 'UpdateTerminationProtection': {
        const stack = find(params.StackName);
        stack.terminationProtection = params.EnableTerminationProtection === 'true';
        return { StackId: stack.id };
      }
      case 'DescribeEvents':
        // Change set validation events (the diagnoser asks after a failed change set): none here.
        return { OperationEvents: [] };
      case 'ListHookResults':
        return { HookResults: [] };
      default:
        return undefined;
    }
  }

  private describeStack(stack: FakeStack): XmlObject {
    const template = parseTemplate(stack.templateBody);
    return {
      StackId: stack.id,
      StackName: stack.name,
      Parameters: Object.entries(stack.parameters).map(([key, value]) => ({
        ParameterKey: key,
        ParameterValue: value,
        // CloudFormation shows what an SSM-typed parameter resolved to next to the parameter's name.
        ResolvedValue: template.Parameters?.[key]?.Type?.startsWith('AWS::SSM::Parameter::Value')
          ? this.ssmParameters.get(value)
          : undefined,
      })),
      CreationTime: stack.created,
      LastUpdatedTime: stack.updated,
      StackStatus: stack.status,
      StackStatusReason: stack.statusReason,
      DisableRollback: false,
      NotificationARNs: [],
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      Outputs: Object.entries(stack.outputs).map(([key, value]) => ({ OutputKey: key, OutputValue: value })),
      Tags: stack.tags,
      EnableTerminationProtection: stack.terminationProtection,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    };
  }

  private createChangeSet(stack: FakeStack, params: Record<string, QueryValue>): XmlObject {
    if (params.ChangeSetType !== 'UPDATE') {
      throw new AwsError(
        'ValidationError',
        `the fake account only updates stacks, got ${String(params.ChangeSetType)}`,
      );
    }
    if (stack.status.endsWith('_IN_PROGRESS')) {
      throw new AwsError(
        'ValidationError',
        `Stack:${stack.id} is in ${stack.status} state and can not be updated.`,
      );
    }
    const templateBody = params.TemplateBody
      ? String(params.TemplateBody)
      : this.templateFromUrl(params.TemplateURL);
    const template = parseTemplate(templateBody);
    const parameters = resolveParameters(template, stack.parameters, params.Parameters);
    const changes = diffStack(parseTemplate(stack.templateBody), stack.parameters, template, parameters);
    const failure =
      this.nextChangeSetFailure ??
      (changes.length === 0 && !differsInOutputs(stack, template) ? NO_CHANGES : null);
    this.nextChangeSetFailure = null;
    const { account, region } = this.options;
    const name = String(params.ChangeSetName);
    const changeSet: FakeChangeSet = {
      id: `arn:aws:cloudformation:${region}:${account}:changeSet/${name}/${randomUUID()}`,
      name,
      stackId: stack.id,
      request: params,
      templateBody,
      parameters,
      created: new Date(this.tick()),
      status: failure ? 'FAILED' : 'CREATE_COMPLETE',
      executionStatus: failure ? 'UNAVAILABLE' : 'AVAILABLE',
      statusReason: failure,
      changes,
    };
    if (
      [...stack.changeSets.values()].some((c) => c.name === name && c.executionStatus !== 'EXECUTE_COMPLETE')
    ) {
      throw new AwsError('AlreadyExistsException', `ChangeSet ${name} already exists`);
    }
    stack.changeSets.set(changeSet.id, changeSet);
    return { Id: changeSet.id, StackId: stack.id };
  }

  private templateFromUrl(url: QueryValue | undefined): string {
    const { pathname, hostname } = new URL(String(url));
    // Path style (https://s3.<region>.<suffix>/<bucket>/<key>) or virtual hosted (https://<bucket>.s3…/<key>).
    const path = hostname.startsWith(`${this.bucket}.`)
      ? `${this.bucket}${pathname}`
      : pathname.replace(/^\//, '');
    const body = this.objects.get(decodeURIComponent(path));
    if (!body) throw new AwsError('ValidationError', `S3 error: Access Denied (TemplateURL ${String(url)})`);
    return body.toString('utf8');
  }

  private execute(stack: FakeStack, changeSet: FakeChangeSet, token: string): void {
    if (changeSet.executionStatus !== 'AVAILABLE') {
      throw new AwsError(
        'InvalidChangeSetStatus',
        `ChangeSet [${changeSet.id}] cannot be executed in its current status of [${changeSet.status}]`,
      );
    }
    const template = parseTemplate(changeSet.templateBody);
    const typeOf = (logicalId: string, from = template) =>
      from.Resources?.[logicalId]?.Type ??
      parseTemplate(stack.templateBody).Resources?.[logicalId]?.Type ??
      '';
    const event = (logicalId: string, resourceType: string, status: string, reason?: string) => {
      const isStack = logicalId === stack.name;
      let physicalId = stack.id;
      if (!isStack) {
        physicalId = stack.physicalIds.get(logicalId) ?? `${stack.name}-${logicalId}-${hash(logicalId, 12)}`;
        stack.physicalIds.set(logicalId, physicalId);
      }
      stack.events.push({
        EventId: isStack ? randomUUID() : `${logicalId}-${status}-${new Date(this.tick()).toISOString()}`,
        StackId: stack.id,
        StackName: stack.name,
        LogicalResourceId: logicalId,
        PhysicalResourceId: physicalId,
        ResourceType: resourceType,
        Timestamp: new Date(this.tick()),
        ResourceStatus: status,
        ...(reason ? { ResourceStatusReason: reason } : {}),
        ClientRequestToken: token,
      });
    };
    const stackType = 'AWS::CloudFormation::Stack';
    event(stack.name, stackType, 'UPDATE_IN_PROGRESS', 'User Initiated');
    const failure = this.nextUpdateFailure;
    this.nextUpdateFailure = null;
    changeSet.executionStatus = 'EXECUTE_COMPLETE';
    stack.updated = new Date(this.tick());
    if (failure) {
      const type = typeOf(failure.logicalId);
      event(failure.logicalId, type, 'UPDATE_IN_PROGRESS');
      event(failure.logicalId, type, 'UPDATE_FAILED', failure.reason);
      const rollbackReason = `The following resource(s) failed to update: [${failure.logicalId}]. `;
      event(stack.name, stackType, 'UPDATE_ROLLBACK_IN_PROGRESS', rollbackReason);
      event(failure.logicalId, type, 'UPDATE_IN_PROGRESS');
      event(failure.logicalId, type, 'UPDATE_COMPLETE');
      event(stack.name, stackType, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
      event(stack.name, stackType, 'UPDATE_ROLLBACK_COMPLETE');
      stack.status = 'UPDATE_ROLLBACK_COMPLETE';
      stack.statusReason = null;
      return;
    }
    const verbs = { Add: 'CREATE', Modify: 'UPDATE', Remove: 'DELETE' } as const;
    for (const change of changeSet.changes.filter((c) => c.action !== 'Remove')) {
      event(change.logicalId, change.resourceType, `${verbs[change.action]}_IN_PROGRESS`);
      event(change.logicalId, change.resourceType, `${verbs[change.action]}_COMPLETE`);
    }
    event(stack.name, stackType, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    for (const change of changeSet.changes.filter((c) => c.action === 'Remove')) {
      event(change.logicalId, change.resourceType, 'DELETE_IN_PROGRESS');
      event(change.logicalId, change.resourceType, 'DELETE_COMPLETE');
    }
    event(stack.name, stackType, 'UPDATE_COMPLETE');
    stack.status = 'UPDATE_COMPLETE';
    stack.statusReason = null;
    stack.templateBody = changeSet.templateBody;
    stack.parameters = { ...changeSet.parameters };
    stack.tags = asList(changeSet.request.Tags).map((t) => ({
      Key: String((t as Record<string, QueryValue>).Key),
      Value: String((t as Record<string, QueryValue>).Value),
    }));
    stack.outputs = { ...stack.outputs, ...this.parameterOutputs(stack) };
  }

  /** Outputs whose value is a `{ Ref }` to a parameter, with that parameter's current value. */
  private parameterOutputs(stack: FakeStack): Record<string, string> {
    const template = parseTemplate(stack.templateBody);
    const result: Record<string, string> = {};
    for (const [key, output] of Object.entries(template.Outputs ?? {})) {
      const ref = (output.Value as { Ref?: string } | undefined)?.Ref;
      if (ref && stack.parameters[ref] !== undefined) result[key] = stack.parameters[ref];
    }
    return result;
  }

  /** A strictly increasing clock, so that events are ordered even within one millisecond. */
  private tick(): number {
    this.lastEventTime = Math.max(Date.now(), this.lastEventTime + 1);
    return this.lastEventTime;
  }
}

interface Template {
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
  readonly Resources?: Record<string, { readonly Type?: string }>;
  readonly Outputs?: Record<string, { readonly Value?: unknown }>;
}

function parseTemplate(body: string): Template {
  try {
    return JSON.parse(body) as Template;
  } catch {
    throw new AwsError(
      'ValidationError',
      'Template format error: the fake account reads JSON templates only',
    );
  }
}

function asList(value: QueryValue | undefined): QueryValue[] {
  return Array.isArray(value) ? value : [];
}

/** The parameter values after an update, as CloudFormation resolves them (and its errors). */
function resolveParameters(
  template: Template,
  previous: Readonly<Record<string, string>>,
  given: QueryValue | undefined,
): Record<string, string> {
  const declared = template.Parameters ?? {};
  const result: Record<string, string> = {};
  for (const item of asList(given)) {
    const p = item as Record<string, QueryValue>;
    const key = String(p.ParameterKey);
    if (!(key in declared))
      throw new AwsError('ValidationError', `Parameters: [${key}] do not exist in the template`);
    if (p.UsePreviousValue === 'true') {
      if (previous[key] === undefined) {
        throw new AwsError(
          'ValidationError',
          `Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`,
        );
      }
      result[key] = previous[key];
    } else result[key] = String(p.ParameterValue ?? '');
  }
  const missing: string[] = [];
  for (const [key, param] of Object.entries(declared)) {
    if (key in result) continue;
    if (param.Default !== undefined) result[key] = String(param.Default);
    else missing.push(key);
  }
  if (missing.length > 0)
    throw new AwsError('ValidationError', `Parameters: [${missing.join(', ')}] must have values`);
  return result;
}

/** The resource changes between two states of a stack: new or removed resources, changed ones, and ones that use a changed parameter. */
function diffStack(
  before: Template,
  beforeParams: Readonly<Record<string, string>>,
  after: Template,
  afterParams: Readonly<Record<string, string>>,
): ResourceChange[] {
  const changedParams = Object.keys(afterParams).filter((k) => afterParams[k] !== beforeParams[k]);
  const old = before.Resources ?? {};
  const next = after.Resources ?? {};
  const changes: ResourceChange[] = [];
  for (const [id, resource] of Object.entries(next)) {
    const json = JSON.stringify(resource);
    if (!old[id]) changes.push({ action: 'Add', logicalId: id, resourceType: resource.Type ?? '' });
    else if (json !== JSON.stringify(old[id]) || changedParams.some((p) => json.includes(`{"Ref":"${p}"}`))) {
      changes.push({ action: 'Modify', logicalId: id, resourceType: resource.Type ?? '' });
    }
  }
  for (const [id, resource] of Object.entries(old)) {
    if (!next[id]) changes.push({ action: 'Remove', logicalId: id, resourceType: resource.Type ?? '' });
  }
  return changes;
}

function differsInOutputs(stack: FakeStack, template: Template): boolean {
  return (
    JSON.stringify(parseTemplate(stack.templateBody).Outputs ?? {}) !== JSON.stringify(template.Outputs ?? {})
  );
}

function findChangeSet(stack: FakeStack, nameOrId: QueryValue | undefined): FakeChangeSet {
  const wanted = String(nameOrId ?? '');
  const changeSet = [...stack.changeSets.values()]
    .reverse()
    .find((c) => (c.name === wanted || c.id === wanted) && c.executionStatus !== 'EXECUTE_COMPLETE');
  if (!changeSet) throw changeSetNotFound(wanted);
  return changeSet;
}

function changeSetNotFound(nameOrId: string): AwsError {
  return new AwsError('ChangeSetNotFound', `ChangeSet [${nameOrId}] does not exist`, 404);
}

function describeChangeSet(changeSet: FakeChangeSet, stack: FakeStack): XmlObject {
  return {
    ChangeSetName: changeSet.name,
    ChangeSetId: changeSet.id,
    StackId: stack.id,
    StackName: stack.name,
    Description: changeSet.request.Description ? String(changeSet.request.Description) : undefined,
    Parameters: Object.entries(changeSet.parameters).map(([k, v]) => ({
      ParameterKey: k,
      ParameterValue: v,
    })),
    CreationTime: changeSet.created,
    ExecutionStatus: changeSet.executionStatus,
    Status: changeSet.status,
    StatusReason: changeSet.statusReason,
    NotificationARNs: [],
    RollbackConfiguration: {},
    Capabilities: asList(changeSet.request.Capabilities).map(String),
    Tags: asList(changeSet.request.Tags) as XmlObject[],
    IncludeNestedStacks: changeSet.request.IncludeNestedStacks === 'true',
    Changes: changeSet.changes.map((c) => ({
      Type: 'Resource',
      HookInvocationCount: 0,
      ResourceChange: {
        Action: c.action,
        LogicalResourceId: c.logicalId,
        PhysicalResourceId: c.action === 'Add' ? undefined : stack.physicalIds.get(c.logicalId),
        ResourceType: c.resourceType,
        Replacement: c.action === 'Modify' ? 'False' : undefined,
        Scope: c.action === 'Modify' ? ['Properties'] : [],
        Details: [],
      },
    })),
  };
}

/** IAM's matching of a policy's action or resource: `*` any run of characters, `?` any one. */
function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
