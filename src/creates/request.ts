/**
 * What the three creates share: the POST itself, its answer without the request-status field
 * `ok`, and the optional Deduplication Key.
 *
 * The key sent as Idempotency-Key is derived from the action, the user's value and the step's
 * request (path and body): a replayed step sends the same key and gets the first answer back,
 * while two different steps mapping the same Event ID (tag `vip`, then tag `lead`) send
 * different keys. The reference does not say how the API scopes a key, only that the same key
 * with another payload conflicts, so nothing but an identical request may ever share one.
 */
import { createHash } from 'node:crypto';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { documentedAnswer, isSavedRecord, without } from '../answers';
import { callChatting } from '../api-call';
import { apiUrl } from '../client';
import type { RequestContext, StepField } from '../middleware';
import { inputText } from '../input';

/**
 * The optional Deduplication Key field of a create. `alreadySafe` says, where it holds, why
 * repeating the step does no harm even without a key.
 */
export function deduplicationKeyField(alreadySafe?: string) {
  return {
    key: 'deduplication_key',
    label: 'Deduplication Key',
    required: false,
    helpText: [
      "Optional. Map a value unique to the triggering event, such as the trigger's **Event ID**: if Zapier runs this step again with the same value, Chatting returns the first result instead of doing it twice. Chatting keeps these keys for at least 24 hours, so a repeat after that is done again.",
      alreadySafe,
      "The key sent to Chatting also covers this action and the step's other fields, so other steps of the Zap can map the same value.",
    ]
      .filter(Boolean)
      .join(' '),
  };
}

/**
 * A step's input fields by key, with the label the Zap editor shows and whether the field is
 * required, for error messages.
 */
export function stepFields(
  fields: readonly { key: string; label: string; required?: boolean }[],
): Record<string, StepField> {
  return Object.fromEntries(
    fields.map(({ key, label, required }) => [key, { label, required: required === true }]),
  );
}

/** JSON with object keys sorted, so equal requests give equal text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, canonical(inner)]),
    );
  }
  return value;
}

/**
 * A create's request: which action sends it, where, what, what a 404 is about, and the step's
 * field labels (to name a field Chatting refuses).
 */
export interface CreateRequest {
  action: string;
  path: string;
  body: object;
  notFound?: RequestContext['notFound'];
  fields: Record<string, StepField>;
}

/**
 * The Idempotency-Key for a step whose Deduplication Key is `value`: the action's key and a
 * SHA-256 of the action, the value and the request, in the header's 1..255 printable ASCII.
 */
export function idempotencyKey(request: CreateRequest, value: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(canonical([request.action, value, request.path, request.body])))
    .digest('hex');
  return `${request.action}-${digest}`;
}

/** The step's Idempotency-Key header, if the user gave a Deduplication Key. */
export function deduplicationHeaders(
  bundle: Bundle,
  request: CreateRequest,
): Record<string, string> {
  const value = inputText(bundle.inputData.deduplication_key);
  return value ? { 'Idempotency-Key': idempotencyKey(request, value) } : {};
}

/** What a create returns to the Zap: Chatting's answer without its request-status field. */
export type CreateResult<T extends { ok: true }> = Omit<T, 'ok'>;

/** A create's saved record, and the HTTP status Chatting answered it with. */
export interface Saved<T extends { ok: true }> {
  record: CreateResult<T>;
  status: number;
}

/** POSTs a create's body with the step's Deduplication Key; the saved record and its status. */
export async function sendCreate<T extends { ok: true; id: string }>(
  z: ZObject,
  bundle: Bundle,
  request: CreateRequest,
): Promise<Saved<T>> {
  // An ID mapped from an earlier step that gave nothing this time: nothing to ask Chatting about
  // (the path would be /contacts//tags). The Zap is fine, this run's data is not, so the run is
  // halted rather than failed: repeated errors would turn the Zap off.
  if (request.notFound && request.notFound.id === '') {
    const { noun } = request.notFound;
    throw new z.errors.HaltedError(
      `The ${noun} field is empty in this run, so there is no ${noun.toLowerCase()} to send this to. Choose a ${noun.toLowerCase()}, or map an ID from an earlier step that always gives one.`,
    );
  }
  const context: RequestContext = {
    notFound: request.notFound,
    fields: request.fields,
    zapRun: true,
  };
  const response = await callChatting(z, {
    url: apiUrl(request.path),
    method: 'POST',
    headers: deduplicationHeaders(bundle, request),
    json: request.body,
    middlewareData: context,
  });
  const answer = documentedAnswer(
    z,
    response,
    (answer): answer is T => isSavedRecord(answer),
    'the saved record with its id',
  );
  return { record: without(answer, 'ok'), status: response.status };
}

/** POSTs a create's body; the saved record, as the step's output. */
export async function postCreate<T extends { ok: true; id: string }>(
  z: ZObject,
  bundle: Bundle,
  request: CreateRequest,
): Promise<CreateResult<T>> {
  return (await sendCreate<T>(z, bundle, request)).record;
}
