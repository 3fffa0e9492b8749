/**
 * POST /webhooks/subscribe: a REST-hook subscription of a target URL to one event. A target
 * already actively subscribed to that event, in this form or an equivalent one (targetIdentity),
 * gets that subscription again (201, same id, the URL as first sent), so an event reaches each
 * target once.
 */
import type { Subscription } from '../../../schemas/generated';
import { defineEndpoint } from '../endpoint';
import { ApiError } from '../../http/errors';
import { now } from '../../domain/clock';
import { newId } from '../../domain/record-ids';
import { forbiddenTargetReason } from '../../domain/targets';
import { storeRecord } from '../../store/collections';
import { activeSubscriptionOf } from '../../store/lookups';

export default defineEndpoint({
  method: 'POST',
  url: '/webhooks/subscribe',
  body: 'requests/subscribe',
  responses: { 201: 'responses/subscribed' },
  idempotent: true,
  handle: ({ workspace, body, services }) => {
    const refusal = forbiddenTargetReason(body.target_url, services.settings.strictTargets);
    if (refusal) throw new ApiError('invalid-subscription', refusal);
    const existing = activeSubscriptionOf(
      services.store,
      workspace.id,
      body.event,
      body.target_url,
    );
    if (existing) return { status: 201, body: answer(existing) };
    const subscription: Subscription = {
      id: newId('wh'),
      workspace_id: workspace.id,
      event: body.event,
      target_url: body.target_url,
      active: true,
      created_at: now(),
      deactivated_at: null,
    };
    return {
      status: 201,
      body: answer(subscription),
      changes: [storeRecord('subscriptions', subscription)],
    };
  },
});

function answer(subscription: Subscription) {
  return { ok: true as const, id: subscription.id, event: subscription.event, active: true };
}
