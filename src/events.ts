/**
 * The one function that turns a Chatting event payload into a trigger result, used by `perform`
 * (a delivered webhook) and `performList` (the sample endpoints) alike, so a live event and a
 * sample always have the same keys. Zapier needs an `id` on every result: it is built from the
 * event, what it is about and when, so it is unique per occurrence and the same for the same
 * event whichever way it arrives.
 */
import type { WebhookEvent } from '../schemas/generated';

export type TriggerResult<E extends WebhookEvent = WebhookEvent> = E & { id: string };

export function occurrenceId(payload: WebhookEvent): string {
  const parts: string[] = [payload.event];
  if ('data__contact_id' in payload) parts.push(payload.data__contact_id);
  if ('data__conversation_id' in payload) parts.push(payload.data__conversation_id);
  if ('data__tag' in payload) parts.push(payload.data__tag);
  parts.push(payload.timestamp);
  return parts.join(':');
}

export function toTriggerResult<E extends WebhookEvent>(payload: E): TriggerResult<E> {
  return { id: occurrenceId(payload), ...payload };
}
