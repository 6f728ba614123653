import type { AwsError, AwsProtocol } from '../types.ts';
import type { AuthFailureKind } from './sigv4.ts';
import { EC2_SHAPE, QUERY_SHAPE, renderXml } from './xml.ts';

/** What the endpoint writes back. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const XML = 'text/xml';

/**
 * The XML namespace a query/ec2 service answers in: `https://iam.amazonaws.com/doc/2010-05-08/`,
 * `https://sts.amazonaws.com/doc/2011-06-15/`, `http://ec2.amazonaws.com/doc/2016-11-15/`
 * (EC2 alone kept `http`). Derived from the request's `Version`, as AWS does.
 */
export function xmlNamespace(signingName: string, version: string): string {
  const scheme = signingName === 'ec2' ? 'http' : 'https';
  return `${scheme}://${signingName}.amazonaws.com/doc/${version}/`;
}

export interface EnvelopeContext {
  readonly action: string;
  readonly requestId: string;
  readonly xmlns: string;
}

/** `<XResponse><XResult>…</XResult><ResponseMetadata><RequestId/>…`; no Result when empty. */
export function queryResponse(
  ctx: EnvelopeContext,
  body: Readonly<Record<string, unknown>>,
): string {
  const result = Object.keys(body).length > 0 ? { [`${ctx.action}Result`]: body } : {};
  return renderXml({
    root: `${ctx.action}Response`,
    xmlns: ctx.xmlns,
    content: { ...result, ResponseMetadata: { RequestId: ctx.requestId } },
    shape: QUERY_SHAPE,
  });
}

/** `<XResponse><requestId/>…body…` with `<item>` lists: the EC2 protocol has no Result wrapper. */
export function ec2Response(ctx: EnvelopeContext, body: Readonly<Record<string, unknown>>): string {
  return renderXml({
    root: `${ctx.action}Response`,
    xmlns: ctx.xmlns,
    content: { requestId: ctx.requestId, ...body },
    shape: EC2_SHAPE,
  });
}

/** The error as the client sees it, whatever raised it. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly httpStatus: number;
  readonly type: 'Sender' | 'Receiver';
  readonly fields: Readonly<Record<string, unknown>>;
}

export function wireErrorOf(e: AwsError): WireError {
  return {
    code: e.code,
    message: e.message,
    httpStatus: e.httpStatus,
    type: e.type,
    fields: e.fields,
  };
}

function requestIdHeaders(requestId: string): Record<string, string> {
  return { 'x-amzn-RequestId': requestId, 'x-amz-request-id': requestId };
}

/** Renders an error in the protocol's envelope (IAM/STS ErrorResponse, EC2 Response, JSON). */
export function errorResponse(
  protocol: AwsProtocol,
  err: WireError,
  ctx: { readonly requestId: string; readonly xmlns: string | undefined },
): WireResponse {
  const headers = requestIdHeaders(ctx.requestId);
  if (protocol === 'rest-json') {
    return {
      status: err.httpStatus,
      headers: { ...headers, 'content-type': 'application/json', 'x-amzn-ErrorType': err.code },
      body: JSON.stringify({ ...err.fields, message: err.message }),
    };
  }
  if (protocol === 'ec2') {
    const body = renderXml({
      root: 'Response',
      content: {
        Errors: { Error: { Code: err.code, Message: err.message } },
        RequestID: ctx.requestId,
      },
      shape: EC2_SHAPE,
    });
    return { status: err.httpStatus, headers: { ...headers, 'content-type': XML }, body };
  }
  const body = renderXml({
    root: 'ErrorResponse',
    ...(ctx.xmlns === undefined ? {} : { xmlns: ctx.xmlns }),
    content: {
      Error: { Type: err.type, Code: err.code, Message: err.message },
      RequestId: ctx.requestId,
    },
    shape: QUERY_SHAPE,
  });
  return { status: err.httpStatus, headers: { ...headers, 'content-type': XML }, body };
}

export function successResponse(
  protocol: AwsProtocol,
  ctx: EnvelopeContext,
  result: { readonly status?: number; readonly body: Readonly<Record<string, unknown>> },
): WireResponse {
  const headers = requestIdHeaders(ctx.requestId);
  if (protocol === 'rest-json') {
    return {
      status: result.status ?? 200,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(result.body, (_k, v: unknown) =>
        // rest-json timestamps are epoch seconds (EKS `createdAt`).
        v instanceof Date ? v.getTime() / 1000 : v,
      ),
    };
  }
  const body = protocol === 'ec2' ? ec2Response(ctx, result.body) : queryResponse(ctx, result.body);
  return { status: result.status ?? 200, headers: { ...headers, 'content-type': XML }, body };
}

/** An authentication failure's code, message and status per service family, as AWS sends them. */
const AUTH_CODES: Readonly<
  Record<AwsProtocol, Readonly<Record<AuthFailureKind, readonly [string, number]>>>
> = {
  query: {
    missing: ['MissingAuthenticationToken', 403],
    incomplete: ['IncompleteSignature', 400],
    'unknown-key': ['InvalidClientTokenId', 403],
    'token-invalid': ['InvalidClientTokenId', 403],
    'token-expired': ['ExpiredToken', 403],
    signature: ['SignatureDoesNotMatch', 403],
    skew: ['SignatureDoesNotMatch', 403],
  },
  ec2: {
    missing: ['MissingAuthenticationToken', 401],
    incomplete: ['IncompleteSignature', 400],
    'unknown-key': ['AuthFailure', 401],
    'token-invalid': ['AuthFailure', 401],
    'token-expired': ['RequestExpired', 400],
    signature: ['AuthFailure', 401],
    skew: ['RequestExpired', 400],
  },
  'rest-json': {
    missing: ['MissingAuthenticationTokenException', 403],
    incomplete: ['IncompleteSignatureException', 400],
    'unknown-key': ['UnrecognizedClientException', 403],
    'token-invalid': ['UnrecognizedClientException', 403],
    'token-expired': ['ExpiredTokenException', 403],
    signature: ['InvalidSignatureException', 403],
    skew: ['InvalidSignatureException', 403],
  },
};

/** EC2 says less than the others about why credentials were refused. */
const EC2_MESSAGES: Partial<Record<AuthFailureKind, string>> = {
  'unknown-key': 'AWS was not able to validate the provided access credentials',
  'token-invalid': 'AWS was not able to validate the provided access credentials',
  signature: 'AWS was not able to validate the provided access credentials',
  'token-expired': 'Request has expired.',
};

export function authError(
  protocol: AwsProtocol,
  kind: AuthFailureKind,
  message: string,
): WireError {
  const [code, httpStatus] = AUTH_CODES[protocol][kind];
  const text =
    protocol === 'ec2'
      ? (EC2_MESSAGES[kind] ?? message)
      : protocol === 'rest-json' && kind === 'missing'
        ? 'Missing Authentication Token'
        : message;
  return { code, message: text, httpStatus, type: 'Sender', fields: {} };
}
