/**
 * The sample endpoints: recent payloads of one event, newest first. The four calls are the
 * reference's; where more than one record is needed (the editor's samples, a dropdown, samples
 * under a trigger's filter) the same call asks for more at once, and goes back to the documented
 * call (limit=1) when the API refuses the larger limit.
 */
import type { ZObject } from 'zapier-platform-core';
import type { WebhookEvent } from '../schemas/generated';
import sampleLimit from '../schemas/common/sample-limit.json';
import { documentedAnswer, isObject } from './answers';
import { callChatting } from './api-call';
import { apiUrl } from './client';
import type { RequestContext } from './middleware';

export interface SampleCall {
  path: '/conversations' | '/contacts';
  params: Record<string, string>;
}

/** The reference's sample calls, one per event. */
export const SAMPLE_CALLS: Record<WebhookEvent['event'], SampleCall> = {
  'conversation.created': { path: '/conversations', params: { limit: '1' } },
  'conversation.resolved': {
    path: '/conversations',
    params: { limit: '1', event: 'conversation.resolved' },
  },
  'tag.added': { path: '/conversations', params: { limit: '1', event: 'tag.added' } },
  'contact.created': { path: '/contacts', params: { limit: '1' } },
};

/** How many recent events a trigger offers the Zap editor as samples (it shows up to 3). */
export const EDITOR_SAMPLES = 3;

/** How many recent records a list asks for: the sample endpoints' largest limit. */
export const LIST_SIZE = sampleLimit.maximum;

function isListOf<E extends WebhookEvent>(event: E['event']) {
  return (body: unknown): body is { ok: true; items: E[] } =>
    isObject(body) &&
    body.ok === true &&
    Array.isArray(body.items) &&
    body.items.every((item) => isObject(item) && item.event === event && isObject(item.data));
}

/**
 * Recent payloads of `event`: the documented call, or with `limit` the same call asking for
 * that many (and the documented call if the API refuses it with a 400).
 */
export async function recentPayloads<E extends WebhookEvent>(
  z: ZObject,
  event: E['event'],
  limit?: number,
): Promise<E[]> {
  const documented = SAMPLE_CALLS[event];
  const expected = `a list of recent ${event} events`;
  if (limit !== undefined) {
    const context: RequestContext = { allowRefusal: true };
    const wider = await callChatting(z, {
      url: apiUrl(documented.path),
      params: { ...documented.params, limit: String(limit) },
      middlewareData: context,
      skipThrowForStatus: true,
    });
    if (wider.status !== 400) return documentedAnswer(z, wider, isListOf<E>(event), expected).items;
    z.console.log(`${documented.path} refused limit=${limit}; using the documented call`);
  }
  const response = await callChatting(z, {
    url: apiUrl(documented.path),
    params: documented.params,
  });
  return documentedAnswer(z, response, isListOf<E>(event), expected).items;
}
