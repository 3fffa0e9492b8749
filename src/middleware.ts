/**
 * HTTP middleware: every request carries the API key; every `{"ok": false, "error": code}`
 * answer becomes the error a Zapier user should see — a reconnect prompt for a bad key, the field
 * to fix for a validation code, which id was not found, an error Zapier can replay for a 5xx,
 * a ThrottledError (honouring Retry-After) for 429. No raw JSON is shown to users.
 */
import type {
  AfterResponseMiddleware,
  BeforeRequestMiddleware,
  HttpResponse,
  ZObject,
} from 'zapier-platform-core';
import type { ErrorResponse } from '../schemas/generated';
import type { ErrorCode } from '../schemas/generated/error';

/** What a request tells the error mapping about itself (`middlewareData`). */
export interface RequestContext {
  /** The kind and id a 404 is about: "Contact" and its id. */
  notFound?: { noun: string; id: string };
  /** A 404 that is not an error for this call (unsubscribing twice). */
  allowNotFound?: boolean;
}

export const addApiKey: BeforeRequestMiddleware = (request, _z, bundle) => {
  request.headers = {
    accept: 'application/json',
    ...request.headers,
    'X-API-Key': bundle.authData.api_key ?? '',
  };
  // 429 is handled below with a friendlier message (core would otherwise throw first).
  (request as { throwForThrottlingEarly?: boolean }).throwForThrottlingEarly = false;
  return request;
};

const FIELD_MESSAGES: Partial<Record<ErrorCode, string>> = {
  'missing-email': 'Email is required: map a value to the Email field.',
  'invalid-email': 'Email is not a valid email address: check the value mapped to the Email field.',
  'missing-tag': 'Tag is required: map a value to the Tag field.',
  'missing-message': 'Message is required: map a value to the Message field.',
  'invalid-subscription':
    'Chatting refused the webhook subscription: the event or the target URL is not valid.',
  'workspace-site-missing':
    'Your Chatting workspace has no website yet, so contacts cannot be added: add your site in Chatting first.',
  'contact-site-forbidden':
    'That contact belongs to another Chatting workspace: choose one of yours.',
  'idempotency-key-conflict':
    'This Deduplication Key was already used with different data. Map a value that is unique to each trigger event (such as its ID), or leave the field empty.',
  'payload-too-large': 'The data sent to Chatting is too large: shorten the longest fields.',
};

function isErrorEnvelope(data: unknown): data is ErrorResponse {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { ok?: unknown }).ok === false &&
    typeof (data as { error?: unknown }).error === 'string'
  );
}

function parse(response: HttpResponse): unknown {
  try {
    return JSON.parse(response.content) as unknown;
  } catch {
    return undefined;
  }
}

export const handleErrors: AfterResponseMiddleware = (response, z: ZObject) => {
  if (response.status < 400) return response;
  const context = (response.request.middlewareData ?? {}) as RequestContext;
  if (response.status === 404 && context.allowNotFound) return response;
  const body = parse(response);
  const code = isErrorEnvelope(body) ? body.error : undefined;
  const detail = isErrorEnvelope(body) && body.message ? ` (${body.message})` : '';

  if (response.status === 429 || code === 'rate-limited') {
    const retryAfter = Number.parseInt(response.getHeader('retry-after') ?? '', 10);
    const delay = Number.isNaN(retryAfter) ? 60 : retryAfter;
    throw new z.errors.ThrottledError(
      `Chatting is limiting requests from this connection; Zapier will try again in ${delay} seconds.`,
      delay,
    );
  }
  if (code === 'api-key-missing' || code === 'api-key-invalid' || response.status === 401) {
    throw new z.errors.ExpiredAuthError(
      'Chatting did not accept your API key (it may have been revoked). Reconnect your Chatting account with a current key.',
    );
  }
  if (response.status >= 500) {
    throw new z.errors.Error(
      `Chatting had a temporary problem (${code ?? `HTTP ${response.status}`}). Replay this run; with Autoreplay on, Zapier retries it by itself.`,
      code ?? 'ServerError',
      response.status,
    );
  }
  if (code === 'not-found') {
    const what = context.notFound
      ? `${context.notFound.noun} "${context.notFound.id}" was not found in your Chatting workspace. Choose an existing one, or map its ID from an earlier step.`
      : 'Chatting could not find what this step refers to.';
    throw new z.errors.Error(what, 'NotFound', 404);
  }
  const message = code ? FIELD_MESSAGES[code] : undefined;
  throw new z.errors.Error(
    message ??
      `Chatting rejected the request${detail || ` (${code ?? `HTTP ${response.status}`})`}.`,
    code ?? 'RequestError',
    response.status,
  );
};
