/**
 * What the four REST-hook triggers share: subscribe (POST /webhooks/subscribe with Zapier's
 * target URL), unsubscribe (DELETE /webhooks/{id}; already gone counts as done), perform (the
 * delivered payload) and performList (the sample endpoint of the same event), the last two
 * through the one normalising function.
 */
import { defineTrigger, type Bundle, type ZObject } from 'zapier-platform-core';
import type {
  SampleListResponse,
  SubscribedResponse,
  SubscribeRequest,
  UnsubscribedResponse,
  WebhookEvent,
} from '../../schemas/generated';
import { apiUrl } from '../client';
import { toTriggerResult, type TriggerResult } from '../events';
import type { RequestContext } from '../middleware';
import { asSample } from '../sample';
import { inputText } from '../input';

export interface OutputField {
  key: string;
  label: string;
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'datetime';
  list?: boolean;
}

export interface HookTriggerSpec<E extends WebhookEvent> {
  key: string;
  event: E['event'];
  noun: string;
  label: string;
  description: string;
  /** The sample endpoint that lists recent payloads of this event. */
  samples: { path: '/conversations' | '/contacts'; params: Record<string, string> };
  sample: TriggerResult<E>;
  outputFields: OutputField[];
}

/** How many recent payloads the Zap editor gets to pick a sample from. */
const SAMPLE_COUNT = 3;

export function hookTrigger<E extends WebhookEvent>(spec: HookTriggerSpec<E>) {
  const performSubscribe = async (z: ZObject, bundle: Bundle) => {
    const body: SubscribeRequest = { event: spec.event, target_url: bundle.targetUrl ?? '' };
    const response = await z.request<SubscribedResponse>({
      url: apiUrl('/webhooks/subscribe'),
      method: 'POST',
      json: body,
    });
    return response.data;
  };

  const performUnsubscribe = async (z: ZObject, bundle: Bundle) => {
    const id = inputText((bundle.subscribeData as { id?: unknown } | undefined)?.id);
    // Nothing was subscribed (the subscribe step failed): nothing to remove.
    if (!id) return { ok: true, id, active: false };
    const context: RequestContext = { allowNotFound: true };
    const response = await z.request<UnsubscribedResponse>({
      url: apiUrl(`/webhooks/${encodeURIComponent(id)}`),
      method: 'DELETE',
      middlewareData: context,
      // handleErrors still turns every other failure into an error; a 404 comes back here.
      skipThrowForStatus: true,
    });
    // A subscription Chatting no longer has is as unsubscribed as can be.
    return response.status === 404 ? { ok: true, id, active: false } : response.data;
  };

  const performList = async (z: ZObject): Promise<TriggerResult<E>[]> => {
    const response = await z.request<SampleListResponse>({
      url: apiUrl(spec.samples.path),
      params: { ...spec.samples.params, limit: String(SAMPLE_COUNT) },
    });
    return ((response.data.items ?? []) as E[]).map((payload) => toTriggerResult(payload));
  };

  const perform = async (z: ZObject, bundle: Bundle): Promise<TriggerResult<E>[]> => {
    const payload = bundle.cleanedRequest as E | undefined;
    // Zapier always passes the delivered payload. `zapier-platform invoke` has none to pass:
    // show the recent events instead of failing, so the trigger can be tried locally.
    if (payload === undefined || payload === null) return performList(z);
    // A body that is not this event (a stray or test POST to the hook URL) triggers nothing.
    if (typeof payload !== 'object' || payload.event !== spec.event || !payload.data) return [];
    return [toTriggerResult(payload)];
  };

  return defineTrigger({
    key: spec.key,
    noun: spec.noun,
    display: { label: spec.label, description: spec.description },
    operation: {
      type: 'hook',
      performSubscribe,
      performUnsubscribe,
      perform,
      performList,
      sample: asSample(spec.sample),
      outputFields: spec.outputFields,
    },
  });
}

/** The fields every trigger result has. */
export const COMMON_OUTPUT_FIELDS: OutputField[] = [
  { key: 'id', label: 'Event ID' },
  { key: 'event', label: 'Event Name' },
  { key: 'timestamp', label: 'Event Time', type: 'datetime' },
];
