/**
 * The optional Deduplication Key of every create, sent as Idempotency-Key: with the same key,
 * Chatting answers a replayed step with the first result instead of creating twice. Zapier has
 * no stable id of a Zap run to derive one from, so the user maps one (the trigger's ID).
 */
import { createHash } from 'node:crypto';
import type { Bundle } from 'zapier-platform-core';
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
