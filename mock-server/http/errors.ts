/**
 * Every failure leaves the mock as the contract's envelope, `{"ok": false, "error": code}`,
 * with the status schemas/error.json fixes for the code: never HTML, never a stack trace.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { schemaJson, statusOf, type ErrorCode } from '../../schemas/validator';
import type { KnownPaths } from './other-methods';

/** A failure the API answers with one of its error codes. */
export class ApiError extends Error {
  constructor(
    readonly apiCode: ErrorCode,
    message?: string,
    readonly headers: Record<string, string> = {},
    /** Only for injected faults: a status other than the code's own. */
    readonly status?: number,
  ) {
    super(message ?? apiCode);
  }
}

/** The JSON type every envelope is sent as. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/** The envelope's message is cut to what its schema allows (a caller's text may be quoted in it). */
const MESSAGE_MAX_LENGTH = (
  schemaJson('error') as { properties: { message: { maxLength: number } } }
).properties.message.maxLength;

/** The status an error is answered with: its own, or its code's. */
function statusOfError(error: ApiError): number {
  return error.status ?? statusOf(error.apiCode);
}

/** An error as it is answered, whoever sends it: its status and the envelope's text. */
export function errorAnswer(error: ApiError): { status: number; body: string } {
  const body: { ok: false; error: ErrorCode; message?: string } = {
    ok: false,
    error: error.apiCode,
  };
  if (error.message !== error.apiCode) body.message = error.message.slice(0, MESSAGE_MAX_LENGTH);
  return { status: statusOfError(error), body: JSON.stringify(body) };
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  const { status, body } = errorAnswer(error);
  return reply.code(status).headers(error.headers).type(JSON_TYPE).send(body);
}

/** Fastify's own errors (routing, body parsing, limits) as the contract's codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_BAD_URL: 'invalid-request',
  // No record has an id longer than the schemas allow, so an over-long parameter names none.
  FST_ERR_MAX_PARAM_LENGTH: 'not-found',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-request',
};

/** What an error's message may say of the request it refuses. */
interface Refused {
  /** The limit of the route the request was for (fastify's `routeOptions.bodyLimit`). */
  bodyLimit?: number;
  /** The request's target as it arrived. */
  url?: string;
}

/** Any error as one of the contract's codes: a 413 states the limit it broke. */
export function toApiError(error: FastifyError | Error, refused: Refused = {}): ApiError {
  if (error instanceof ApiError) return error;
  const fastifyError = error as FastifyError;
  const code = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (code) return new ApiError(code, describe(fastifyError.code, refused));
  // Other 4xx from the framework are malformed requests (bad JSON, prototype poisoning, ...).
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return new ApiError('invalid-request', 'the request is malformed');
  return new ApiError('internal-error');
}

function describe(fastifyCode: string, { bodyLimit = BODY_LIMIT_BYTES, url }: Refused): string {
  switch (fastifyCode) {
    case 'FST_ERR_BAD_URL':
      // A target that is neither a path nor an http(s) URL (`ftp://host/…`) has no escape to
      // blame: the router refuses it all the same.
      return url === undefined || /^(\/|https?:\/\/)/i.test(url) ? MALFORMED_PATH : NOT_A_PATH;
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'no record has an id that long';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the body is over the ${byteSize(bodyLimit)} limit`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'send the body as application/json';
    default:
      return 'the body is not valid JSON';
  }
}

/** 102400 → "100 KiB", 67108864 → "64 MiB": a limit as the docs state it. */
export function byteSize(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** The largest request body accepted, documented in the README and openapi.yaml. */
export const BODY_LIMIT_BYTES = 100 * 1024;

/** Makes every error, unknown route and malformed request answer with the envelope. */
export function installErrorHandling(
  app: FastifyInstance,
  knownPaths: KnownPaths,
  onUnexpected: (error: Error) => void,
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // fastify closes the connection after a body it could not take, in case more of it is
    // coming. A body received whole leaves the connection in step, and closing it would drop
    // the answers to the requests pipelined behind this one: they run, but are never answered.
    if (request.raw.complete && reply.getHeader('connection') === 'close') {
      reply.removeHeader('connection');
    }
    const apiError = toApiError(error, {
      bodyLimit: request.routeOptions.bodyLimit,
      url: request.url,
    });
    if (apiError.apiCode === 'internal-error') onUnexpected(error);
    // A 405 names the methods its path takes (RFC 9110 §15.5.6), whoever made it: an injected
    // fault's too.
    if (statusOfError(apiError) === 405 && !apiError.headers.allow) {
      const allow = knownPaths.allowFor(request.url);
      if (allow !== undefined) apiError.headers.allow = allow;
    }
    return sendError(reply, apiError);
  });
  app.setNotFoundHandler(answerNotFound);
}

const MALFORMED_PATH = 'the path is not a valid URL (a malformed percent-encoding)';
const NOT_A_PATH = 'the request target is neither a path nor an http:// or https:// URL';

/** A path no route has, whatever the method. */
export function noSuchRoute(): ApiError {
  return new ApiError('not-found', 'no such route');
}

/** A path that does not decode (a malformed escape, or one that is not UTF-8), as the router says. */
export function malformedPath(): ApiError {
  return new ApiError('invalid-request', MALFORMED_PATH);
}

/** fastify's not-found handler, wherever one is set. */
export function answerNotFound(_request: unknown, reply: FastifyReply): FastifyReply {
  return sendError(reply, noSuchRoute());
}

/** For fastify's `frameworkErrors`: what the router refuses before any route (a bad URL...). */
export function answerFrameworkError(
  error: FastifyError,
  request: { url: string },
  reply: FastifyReply,
): void {
  sendError(reply, toApiError(error, { url: request.url }));
}

/** What the mock answers while it stops. */
export function shuttingDown(): ApiError {
  return new ApiError('shutting-down', 'the mock is stopping');
}

/**
 * An answer outside fastify: its status, its headers (the error's own, as sendError sends them,
 * and `headers`) and the envelope.
 */
export function plainAnswer(
  error: ApiError,
  headers: Record<string, string> = {},
): { status: number; headers: Record<string, string>; body: string } {
  const { status, body } = errorAnswer(error);
  return {
    status,
    headers: {
      'content-type': JSON_TYPE,
      'content-length': String(Buffer.byteLength(body)),
      ...error.headers,
      ...headers,
    },
    body,
  };
}

/** That answer as bytes written straight to a socket. */
export function rawAnswer(error: ApiError, headers: Record<string, string> = {}): string {
  const answer = plainAnswer(error, headers);
  const lines = Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n${lines.join('')}\r\n${answer.body}`;
}
