/** DELETE /webhooks/{id}: deactivates a subscription; again is fine (Zapier may retry). */
import { defineEndpoint } from '../endpoint';
import { ApiError } from '../../http/errors';
import { now } from '../../domain/clock';
import { storeRecord } from '../../store/collections';

export default defineEndpoint({
  method: 'DELETE',
  url: '/webhooks/:id',
  params: 'requests/id-param',
  responses: { 200: 'responses/unsubscribed' },
  handle: ({ workspace, params, services }) => {
    const subscription = services.store.get('subscriptions', params.id);
    // Another workspace's subscription is answered exactly like one that does not exist.
    if (!subscription || subscription.workspace_id !== workspace.id) {
      throw new ApiError('not-found', `no webhook subscription ${params.id}`);
    }
    const body = { ok: true as const, id: subscription.id, active: false };
    if (!subscription.active) return { status: 200, body };
    return {
      status: 200,
      body,
      changes: [
        storeRecord('subscriptions', { ...subscription, active: false, deactivated_at: now() }),
      ],
    };
  },
});
