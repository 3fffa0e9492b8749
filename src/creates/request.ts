/**
 * What the three creates share: the POST itself, and the optional Deduplication Key, sent as
 * Idempotency-Key: with the same key,
 * Chatting answers a replayed step with the first result instead of creating twice. Zapier has
 * no stable id of a Zap run to derive one from, so the user maps one (the trigger's ID).
 */
import { createHash } from 'node:crypto';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { apiUrl } from '../client';
import type { RequestContext } from '../middleware';
import { inputText } from '../input';

export const deduplicationKeyField = {
  key: 'deduplication_key',
  label: 'Deduplication Key',
  required: false,
  helpText:
    "Optional. Map something unique to the triggering event, such as the trigger's **Event ID**: if Zapier replays this step, Chatting returns the first result instead of creating a duplicate.",
};

const SENDABLE = /^[\x20-\x7E]{1,255}$/;

/** The Idempotency-Key header for the step, if the user gave a key. */
export function deduplicationHeaders(bundle: Bundle): Record<string, string> {
  const key = inputText(bundle.inputData.deduplication_key);
  if (!key) return {};
  // Any value works: one the header cannot carry as is (long, non-ASCII) is sent as its digest.
  const value = SENDABLE.test(key)
    ? key
    : `sha256:${createHash('sha256').update(key).digest('hex')}`;
  return { 'Idempotency-Key': value };
}

/** POSTs a create's body with the step's Deduplication Key; a 404 names `notFound`. */
export async function postCreate<T>(
  z: ZObject,
  bundle: Bundle,
  path: string,
  body: object,
  notFound?: RequestContext['notFound'],
): Promise<T> {
  const context: RequestContext = { notFound };
  const response = await z.request<T>({
    url: apiUrl(path),
    method: 'POST',
    headers: deduplicationHeaders(bundle),
    json: body,
    middlewareData: context,
  });
  return response.data;
}
