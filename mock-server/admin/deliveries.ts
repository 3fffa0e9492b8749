/** Deliveries: list (with filters), one with every attempt, and redeliver. */
import type { DeliveryQuery } from '../../schemas/generated/admin/delivery-query';
import { ApiError } from '../errors';
import { newDelivery } from '../events/raise';
import { now } from '../ids';
import type { Services } from '../services';
import type { AdminRoute } from './route';

export function deliveryRoutes({ store }: Services): AdminRoute[] {
  const deliveryOf = (id: string) => {
    const delivery = store.get('deliveries', id);
    if (!delivery) throw new ApiError('not-found', `no delivery ${id}`);
    return delivery;
  };
  return [
    {
      method: 'GET',
      url: '/deliveries',
      query: 'admin/delivery-query',
      response: 'admin/delivery-list',
      handler: async (request) => {
        const query = request.query as DeliveryQuery & { limit: number };
        const items = store
          .all('deliveries')
          .filter(
            (d) =>
              (!query.workspace_id || d.workspace_id === query.workspace_id) &&
              (!query.subscription_id || d.subscription_id === query.subscription_id) &&
              (!query.event || d.event === query.event) &&
              (!query.status || d.status === query.status),
          )
          .slice(-query.limit)
          .reverse();
        return { ok: true, items };
      },
    },
    {
      method: 'GET',
      url: '/deliveries/:id',
      response: 'admin/delivery-answer',
      handler: async (request) => ({
        ok: true,
        delivery: deliveryOf((request.params as { id: string }).id),
      }),
    },
    {
      method: 'POST',
      url: '/deliveries/:id/redeliver',
      response: 'admin/delivery-answer',
      handler: async (request, reply) => {
        const original = deliveryOf((request.params as { id: string }).id);
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
        await store.commit([{ op: 'put', c: 'deliveries', r: delivery }]);
        return reply.code(201).send({ ok: true, delivery });
      },
    },
  ];
}
