/**
 * HTTP middleware: every request carries the API key; every `{"ok": false, "error": code}`
 * answer becomes the error a Zapier user should see — a reconnect prompt for a bad key, the field
 * to fix for a validation code, which id was not found, an error Zapier can replay for a 5xx,
 * a ThrottledError (honouring Retry-After) for 429. Users read plain sentences only: the error
 * code travels as the error's code, and the server's own wording (validator messages) stays in
 * the answer, which Zapier's HTTP log of the step shows to the maintainer.
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
  /** A not-found that is not an error for this call (unsubscribing what is already gone). */
  allowNotFound?: boolean;
  /** A 400 the caller answers itself (a dropdown retrying with the documented call). */
  allowRefusal?: boolean;
  /**
   * The connection test: it has no mapped fields, so a 404 there means the app's API address is
   * wrong (a base URL without `/api/zapier`), not an ID.
   */
  connectionTest?: boolean;
  /** The step's input fields by key: which one Chatting refused, and what the user can do. */
  fields?: Record<string, StepField>;
  /**
   * The step runs in a Zap run (a create), which the Zap history can replay; the other requests
   * run as a user connects an account, turns a Zap on or off, or loads samples.
   */
  zapRun?: boolean;
}

/** When to try again, and how: a step of a Zap run (a create) is replayed from the Zap history. */
export function tryAgain(context: RequestContext): string {
  return context.zapRun
    ? 'Try again in a few minutes: you can replay this run from your Zap history.'
    : 'Try again in a few minutes.';
}

/** An input field of a step, as an error message names it. */
export interface StepField {
  label: string;
  required: boolean;
}

/** A field Chatting refused: its label, whether it may be left empty, and why, if it says. */
interface RefusedField extends StepField {
  /** `at most 200 characters`, `at most 100 items`. */
  limit?: string;
  /** What the limit is about: the mapped value, or the names of a dictionary's fields. */
  of: 'value' | 'names';
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
  'invalid-email':
    'Email is not a valid email address: check the value mapped to the Email field, such as ada@example.com.',
  'missing-tag': 'Tag is required: map a value to the Tag field.',
  'missing-message': 'Message is required: map a value to the Message field.',
  'invalid-subscription':
    'Chatting refused the webhook subscription for this trigger: turn the Zap off and on again, and if it keeps failing, tell Chatting support.',
  'workspace-site-missing':
    'Your Chatting workspace has no website yet, so contacts cannot be added: add your site in Chatting first.',
  'contact-site-forbidden':
    'That contact belongs to another Chatting workspace: choose one of yours.',
  // The key sent is derived from the action, the mapped value and the step's whole input, so a
  // different request never carries the same key: a conflict is not the user's mapping.
  'idempotency-key-conflict':
    "Chatting refused this step as a repeat of an earlier, different request. The Deduplication Key sent is made from this action, the value you mapped and this step's fields, so this is unexpected: try the step again, and if it keeps failing, clear the Deduplication Key field and tell Chatting support.",
  'payload-too-large': 'The data sent to Chatting is too large: shorten the longest fields.',
  'invalid-request':
    "Chatting could not accept one of the values mapped into this step. Check them (very long text, say); the step's HTTP log shows Chatting's answer.",
  'not-found': 'Chatting could not find what this step refers to: check the IDs mapped into it.',
};

/** Seconds from a Retry-After header (seconds or an HTTP date); at least 1, 60 when absent. */
export function retryAfterSeconds(header: string | undefined): number {
  if (!header) return 60;
  const seconds = /^\d+$/.test(header.trim())
    ? Number(header.trim())
    : Math.ceil((Date.parse(header) - Date.now()) / 1000);
  return Number.isFinite(seconds) ? Math.max(1, seconds) : 60;
}

/**
 * Which of the step's fields a refusal is about, and why, when Chatting's message says so the way
 * the contract's refusals do (`name: at most 200 characters`, `customFields.crm_owner: …`, several
 * joined by `; `). Only the field's key and a recognised limit are taken from it: the sentence the
 * user reads is the app's own.
 */
export function refusedField(
  message: string | undefined,
  fields: Record<string, StepField>,
): RefusedField | undefined {
  for (const part of (message ?? '').split('; ')) {
    const match = /^([A-Za-z_][\w]*)(?:\.[^:]*)?: (.*)$/.exec(part.trim());
    const field = match && Object.hasOwn(fields, match[1]) ? fields[match[1]] : undefined;
    if (!field) continue;
    const reason = match![2];
    const limit = /\bat most [\d,]+ (characters|items|fields)\b/.exec(reason)?.[0];
    // `customFields: field name "…": at most 100 characters`: a name, not a value, is too long.
    return { ...field, limit, of: reason.startsWith('field name ') ? 'names' : 'value' };
  }
  return undefined;
}

/** What to tell the user when Chatting refused one named field. */
function refusedFieldMessage({ label, required, limit, of }: RefusedField): string {
  // Emptying a required field only trades this refusal for a missing-field one.
  const orEmpty = required ? '' : ', or leave the field empty';
  if (!limit) {
    return `Chatting did not accept the value mapped to the ${label} field. Check it${orEmpty}.`;
  }
  if (of === 'names') {
    return `Chatting did not accept the ${label} field: each field name takes ${limit}. Shorten the field names mapped to ${label}.`;
  }
  const action = limit.endsWith('characters')
    ? `Shorten the value mapped to ${label}${orEmpty}`
    : `Map fewer values to ${label}`;
  return `Chatting did not accept the ${label} field: it takes ${limit}. ${action}.`;
}

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
  const body = parse(response);
  const code = isErrorEnvelope(body) ? body.error : undefined;
  // Only Chatting's own not-found (not, say, a 404 page of a wrong base URL) may pass.
  if (code === 'not-found' && context.allowNotFound) return response;
  if (response.status === 400 && code && context.allowRefusal) return response;

  if (response.status === 429 || code === 'rate-limited') {
    const delay = retryAfterSeconds(response.getHeader('retry-after'));
    throw new z.errors.ThrottledError(
      `Chatting is limiting requests from this connection; try again in ${delay} second${delay === 1 ? '' : 's'}.`,
      delay,
    );
  }
  if (code === 'api-key-missing' || code === 'api-key-invalid' || response.status === 401) {
    throw new z.errors.ExpiredAuthError(
      'Chatting did not accept this API key: it may be mistyped or revoked. Check it, or reconnect your Chatting account with a current key.',
    );
  }
  if (response.status >= 500) {
    throw new z.errors.Error(
      `Chatting could not finish this step because of a problem on its side. ${tryAgain(context)}`,
      code ?? 'ServerError',
      response.status,
    );
  }
  if (response.status === 404 && context.connectionTest) {
    // CHATTING_BASE_URL is set for local runs and test deployments only: a maintainer's hint.
    // Zap users never set it, so they read what they can do instead.
    throw new z.errors.Error(
      process.env.CHATTING_BASE_URL
        ? `The connection test could not reach Chatting's API: GET /me answered "not found" at ${process.env.CHATTING_BASE_URL}. Check that CHATTING_BASE_URL ends in /api/zapier.`
        : "The connection test could not reach Chatting's API, so this Chatting connection cannot be checked right now. Try again later; if it keeps happening, tell Chatting support.",
      'NotFound',
      404,
    );
  }
  if (code === 'not-found' && context.notFound) {
    throw new z.errors.Error(
      `${context.notFound.noun} "${context.notFound.id}" was not found in your Chatting workspace. Choose an existing one, or map its ID from an earlier step.`,
      'NotFound',
      404,
    );
  }
  const refused =
    code === 'invalid-request' && context.fields && isErrorEnvelope(body)
      ? refusedField(body.message, context.fields)
      : undefined;
  throw new z.errors.Error(
    (refused && refusedFieldMessage(refused)) ||
      (code && FIELD_MESSAGES[code]) ||
      refusalMessage(response.status, context),
    code ?? 'RequestError',
    response.status,
  );
};

/** 405 method not allowed, 415 unsupported media type, 417 expectation failed. */
const APP_MADE_REFUSALS = new Set([405, 415, 417]);

/**
 * A refusal without a message of its own, by what the status says of it: a request that arrived
 * too slowly is worth another try; one Chatting could not read (method, media type, Expect) was
 * made by the app, and nothing the user maps changes it; any other refusal of a step with fields
 * may be about what was mapped into them, while a trigger's or a list's request has none.
 */
function refusalMessage(status: number, context: RequestContext): string {
  if (status === 408) {
    return `Chatting did not receive this step's request in time. ${tryAgain(context)}`;
  }
  if (APP_MADE_REFUSALS.has(status)) {
    return "Chatting could not read the request this app sent: nothing in your Zap causes this. Tell Chatting support; the step's HTTP log shows Chatting's answer.";
  }
  if (context.fields) {
    return "Chatting refused this step's request. Check the values mapped into its fields; if they look right, try again later.";
  }
  return "Chatting refused this request. Try again later; if it keeps happening, tell Chatting support, and the step's HTTP log shows Chatting's answer.";
}
