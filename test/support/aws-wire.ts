/**
 * The AWS wire formats that protocol fakes speak, so that the real SDK (and anything built on it,
 * such as toolkit-lib) talks to them unchanged: the awsQuery protocol (form-encoded requests, XML
 * responses: STS, CloudFormation) and its EC2 dialect, awsJson 1.1 (SSM), REST-XML (S3), and the
 * SigV4 credential scope of a request (which key signed it, for which service and region).
 */
import type { IncomingHttpHeaders } from 'node:http';

/** A decoded awsQuery value: strings at the leaves, `member` lists as arrays. */
export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };

/** A decoded awsQuery request: its action and its parameters. */
export interface QueryRequest {
  readonly action: string;
  readonly params: Record<string, QueryValue>;
}

/**
 * Decodes an awsQuery body (`Action=X&Parameters.member.1.ParameterKey=K&...`) into nested objects,
 * with `member.N` lists as arrays in index order.
 */
export function decodeQuery(body: string): QueryRequest {
  const form = new URLSearchParams(body);
  const root: Building = {};
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    setPath(root, key.split('.'), value);
  }
  return { action: form.get('Action') ?? '', params: finishLists(root) as Record<string, QueryValue> };
}

// While decoding, a `member` list is an object keyed by its 1-based index; finishLists orders it.
const LIST = Symbol('list');
type Building = { [key: string]: Building | string; [LIST]?: true };

function setPath(node: Building, path: string[], value: string): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (head === 'member' && rest.length > 0) {
    node[LIST] = true;
    setPath(node, rest, value);
    return;
  }
  if (rest.length === 0) {
    node[head] = value;
    return;
  }
  const child = node[head];
  const next: Building = typeof child === 'object' ? child : {};
  node[head] = next;
  setPath(next, rest, value);
}

function finishLists(node: Building | string): QueryValue {
  if (typeof node === 'string') return node;
  if (node[LIST]) {
    return Object.keys(node)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => finishLists(node[k]!));
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, finishLists(v)]));
}

/** A value an XML response is built from; `undefined` and `null` fields are left out. */
export type XmlValue = string | number | boolean | Date | null | undefined | XmlValue[] | XmlObject;
/** An XML element's children, in order. */
export interface XmlObject {
  readonly [key: string]: XmlValue;
}

/** Escapes text for XML content. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Serializes `value` as the element `name`: lists as `<member>` children (awsQuery's shape), dates in ISO 8601. */
export function toXml(name: string, value: XmlValue, listMember = 'member'): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    return `<${name}>${value.map((v) => toXml(listMember, v, listMember)).join('')}</${name}>`;
  }
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    const children = Object.entries(value)
      .map(([k, v]) => toXml(k, v, listMember))
      .join('');
    return `<${name}>${children}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** An HTTP response as a fake sends it. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** An error as AWS returns it, in whichever protocol the request used. */
export class AwsError extends Error {
  constructor(
    /** The error code on the wire (`ValidationError`, `ParameterNotFound`, `NoSuchBucket`). */
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

/** An awsQuery success response: `<XResponse><XResult>…</XResult><ResponseMetadata/></XResponse>`. */
export function queryResponse(
  action: string,
  namespace: string,
  result: XmlObject,
  requestId: string,
): WireResponse {
  const body =
    `<${action}Response xmlns="${namespace}">${toXml(`${action}Result`, result)}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** An awsQuery error response (`<ErrorResponse><Error><Code>…`). */
export function queryError(error: AwsError, namespace: string, requestId: string): WireResponse {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body,
  };
}

/**
 * An EC2 success response: awsQuery's dialect without the `Result` wrapper, with lowerCamel element
 * names (the caller's) and `<item>` list members.
 */
export function ec2Response(action: string, result: XmlObject, requestId: string): WireResponse {
  const children = Object.entries(result)
    .map(([k, v]) => toXml(k, v, 'item'))
    .join('');
  const body =
    `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">` +
    `<requestId>${requestId}</requestId>${children}</${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body };
}

/** An EC2 error response (`<Response><Errors><Error><Code>…`). */
export function ec2Error(error: AwsError, requestId: string): WireResponse {
  const body =
    `<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}` +
    `</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  return { status: error.status, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body };
}

/** An awsJson 1.1 success response. */
export function jsonResponse(result: unknown, requestId: string): WireResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
    body: JSON.stringify(result, function (this: Record<string, unknown>, key, value: unknown) {
      // awsJson sends timestamps as epoch seconds (the replacer sees a Date after its toJSON).
      const raw = this[key];
      return raw instanceof Date ? raw.getTime() / 1000 : value;
    }),
  };
}

/** An awsJson 1.1 error response (`{"__type": …, "message": …}`). */
export function jsonError(error: AwsError, requestId: string): WireResponse {
  return {
    status: error.status,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': error.code,
    },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

/** A REST-XML (S3) success response with an XML document, or none. */
export function restXmlResponse(
  document: string | null,
  requestId: string,
  headers: Readonly<Record<string, string>> = {},
): WireResponse {
  return {
    status: 200,
    headers: {
      ...(document === null ? {} : { 'content-type': 'application/xml' }),
      'x-amz-request-id': requestId,
      ...headers,
    },
    body: document === null ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n${document}`,
  };
}

/** A REST-XML (S3) error response (`<Error><Code>…`). */
export function restXmlError(error: AwsError, requestId: string): WireResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code>` +
      `<Message>${escapeXml(error.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
  };
}

/** Who signed a request and for what, from its SigV4 `Authorization` header. */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly region: string;
  /** The signing name: `sts`, `cloudformation`, `ssm`, `s3`, … */
  readonly service: string;
  /** The session token sent with temporary credentials, or null. */
  readonly sessionToken: string | null;
}

/** Reads the SigV4 credential scope of a request; null when it is not signed. */
export function credentialScope(headers: IncomingHttpHeaders): CredentialScope | null {
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(headers.authorization ?? '');
  if (!match) return null;
  const token = headers['x-amz-security-token'];
  return {
    accessKeyId: match[1]!,
    region: match[2]!,
    service: match[3]!,
    sessionToken: typeof token === 'string' ? token : null,
  };
}

/**
 * The payload of an S3 upload: as sent, or decoded from `aws-chunked` encoding (which the SDK uses
 * to stream a body with a trailing checksum).
 */
export function s3Payload(headers: IncomingHttpHeaders, raw: Buffer): Buffer {
  if (!String(headers['content-encoding'] ?? '').includes('aws-chunked')) return raw;
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
