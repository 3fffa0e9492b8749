/** Deliveries: list (with filters), one with every attempt, and redeliver. */
import { now } from '../domain/clock';
import { ApiError } from '../http/errors';
import { newDelivery } from '../events/raise';
import type { Services } from '../domain/services';
import { defineAdminRoute, type AdminRoute } from './route';
import { storeRecord } from '../store/collections';

export function deliveryRoutes({ store }: Services): AdminRoute[] {
  const deliveryOf = (id: string) => {
    const delivery = store.get('deliveries', id);
    if (!delivery) throw new ApiError('not-found', `no delivery ${id}`);
    return delivery;
  };
  return [
    defineAdminRoute({
      method: 'GET',
      url: '/deliveries',
      query: 'admin/delivery-query',
      responses: { 200: 'admin/delivery-list' },
      handle: ({ query }) => {
        const { workspace_id, subscription_id, event, status, limit, offset } = query;
        const filters = { workspace_id, subscription_id, event, status };
        const page = store.page('deliveries', filters, { limit, offset, newestFirst: true });
        return { status: 200, body: { ok: true, ...page } };
      },
    }),
    defineAdminRoute({
      method: 'GET',
      url: '/deliveries/:id',
      params: 'requests/id-param',
      responses: { 200: 'admin/delivery-answer' },
      handle: ({ params }) => ({
        status: 200,
        body: { ok: true, delivery: deliveryOf(params.id) },
      }),
    }),
    defineAdminRoute({
      method: 'POST',
      url: '/deliveries/:id/redeliver',
      params: 'requests/id-param',
      responses: { 201: 'admin/delivery-answer' },
      handle: ({ params }) => {
        const original = deliveryOf(params.id);
        const event = store.get('events', original.event_id);
        if (!event) throw new ApiError('not-found', `the event of ${original.id} is gone`);
        const subscription = store.get('subscriptions', original.subscription_id);
        if (!subscription?.active) {
          throw new ApiError('invalid-subscription', 'the subscription is no longer active');
        }
        const delivery = newDelivery(
          event,
          subscription.id,
          subscription.target_url,
          now(),
          original.id,
        );
        return {
          status: 201,
          body: { ok: true, delivery },
          changes: [storeRecord('deliveries', delivery)],
        };
      },
    }),
  ];
}
