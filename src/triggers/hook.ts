/**
 * What the four REST-hook triggers share: subscribe (POST /webhooks/subscribe with Zapier's
 * target URL), unsubscribe (DELETE /webhooks/{id}; already gone counts as done), perform (the
 * delivered payload) and performList (the sample endpoint of the same event), the last two
 * through the one normalising function.
 */
import { defineTrigger, type Bundle, type ZObject } from 'zapier-platform-core';
import type {
  SubscribedResponse,
  SubscribeRequest,
  UnsubscribedResponse,
  WebhookEvent,
} from '../../schemas/generated';
import { documentedAnswer, isObject, isSavedRecord, without } from '../answers';
import { callChatting } from '../api-call';
import { apiUrl } from '../client';
import { namePartKeys, toTriggerResult, type PersonNameField, type TriggerResult } from '../events';
import type { RequestContext } from '../middleware';
import { EDITOR_SAMPLES, LIST_SIZE, recentPayloads } from '../recent-events';
import { asSample } from '../sample';
import { inputText } from '../input';

export interface OutputField {
  key: string;
  label: string;
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'datetime';
  list?: boolean;
}

export interface TriggerInputField {
  key: string;
  label: string;
  required: false;
  helpText: string;
}

export interface HookTriggerSpec<E extends WebhookEvent> {
  key: string;
  event: E['event'];
  noun: string;
  label: string;
  description: string;
  sample: TriggerResult<E>;
  outputFields: OutputField[];
  /** Options of the trigger, shown in the Zap editor. */
  inputFields?: TriggerInputField[];
  /** Whether an event of this kind triggers the Zap with these options (default: every one). */
  matches?: (payload: E, inputData: Record<string, unknown>) => boolean;
}

/**
 * What Zapier hands perform as `bundle.cleanedRequest`: the delivered JSON with Zapier's own
 * `querystring` key (the hook URL's query) added to it.
 */
type CleanedRequest = Record<string, unknown> & { querystring?: unknown };

export function hookTrigger<E extends WebhookEvent>(spec: HookTriggerSpec<E>) {
  const matches = (payload: E, bundle: Bundle) => spec.matches?.(payload, bundle.inputData) ?? true;

  const performSubscribe = async (z: ZObject, bundle: Bundle) => {
    const body: SubscribeRequest = { event: spec.event, target_url: bundle.targetUrl ?? '' };
    const response = await callChatting(z, {
      url: apiUrl('/webhooks/subscribe'),
      method: 'POST',
      json: body,
    });
    // Without the subscription's id, turning the Zap off could never unsubscribe it.
    return documentedAnswer<SubscribedResponse>(
      z,
      response,
      (answer): answer is SubscribedResponse => isSavedRecord(answer),
      'a subscription with its id',
    );
  };

  const performUnsubscribe = async (z: ZObject, bundle: Bundle) => {
    const id = inputText((bundle.subscribeData as { id?: unknown } | undefined)?.id);
    // Nothing was subscribed (the subscribe step failed): nothing to remove.
    if (!id) return { ok: true, id, active: false };
    const context: RequestContext = { allowNotFound: true };
    const response = await callChatting<UnsubscribedResponse>(z, {
      url: apiUrl(`/webhooks/${encodeURIComponent(id)}`),
      method: 'DELETE',
      middlewareData: context,
      // handleErrors still turns every other failure into an error; a 404 comes back here.
      skipThrowForStatus: true,
    });
    // A subscription Chatting no longer has is as unsubscribed as can be.
    return response.status === 404 ? { ok: true, id, active: false } : response.data;
  };

  /** Whether one of the trigger's options is set, so that some events may not trigger. */
  const filtering = (bundle: Bundle) =>
    (spec.inputFields ?? []).some((field) => inputText(bundle.inputData[field.key]) !== '');

  const performList = async (z: ZObject, bundle: Bundle): Promise<TriggerResult<E>[]> => {
    // The editor offers a few recent events to choose a sample from. With an option set, the
    // newest events may not match it, so ask for the largest list and keep the newest matching
    // ones; like the dropdowns, fall back to the documented call if the API refuses the limit.
    const payloads = await recentPayloads<E>(
      z,
      spec.event,
      filtering(bundle) ? LIST_SIZE : EDITOR_SAMPLES,
    );
    return payloads
      .filter((payload) => matches(payload, bundle))
      .slice(0, EDITOR_SAMPLES)
      .map(toTriggerResult);
  };

  const perform = async (z: ZObject, bundle: Bundle): Promise<TriggerResult<E>[]> => {
    const delivered = bundle.cleanedRequest as CleanedRequest | undefined | null;
    // Zapier always passes the delivered payload. `zapier-platform invoke` has none to pass:
    // show the recent events instead of failing, so the trigger can be tried locally.
    if (delivered === undefined || delivered === null) return performList(z, bundle);
    // A body that is not this event (a stray or test POST to the hook URL) triggers nothing.
    if (!isObject(delivered) || delivered.event !== spec.event || !isObject(delivered.data))
      return [];
    // The result is the payload as Chatting sent it, without what Zapier added.
    // Checked above as far as the app relies on it: this trigger's event, with its data.
    const payload = without(delivered, 'querystring') as unknown as E;
    return matches(payload, bundle) ? [toTriggerResult(payload)] : [];
  };

  return defineTrigger({
    key: spec.key,
    noun: spec.noun,
    display: { label: spec.label, description: spec.description },
    operation: {
      type: 'hook',
      ...(spec.inputFields ? { inputFields: spec.inputFields } : {}),
      performSubscribe,
      performUnsubscribe,
      perform,
      performList,
      sample: asSample(spec.sample),
      outputFields: spec.outputFields,
    },
  });
}

/** The output fields of the first and last name the app derives from a full-name field. */
export function nameOutputFields(from: PersonNameField, person: string): OutputField[] {
  const { first, last } = namePartKeys(from);
  const label = (part: string) => [person, part, 'Name'].filter(Boolean).join(' ');
  return [
    { key: first, label: label('First') },
    { key: last, label: label('Last') },
  ];
}

/** The fields every trigger result has. */
export const COMMON_OUTPUT_FIELDS: OutputField[] = [
  { key: 'id', label: 'Event ID' },
  { key: 'event', label: 'Event Name' },
  { key: 'timestamp', label: 'Event Time', type: 'datetime' },
];
