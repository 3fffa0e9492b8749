/** GET /__admin/subscriptions: the REST-hook subscriptions of every workspace, active or not. */
import type { Services } from '../domain/services';
import { defineAdminRoute, type AdminRoute } from './route';

export function subscriptionRoutes({ store }: Services): AdminRoute[] {
  return [
    defineAdminRoute({
      method: 'GET',
      url: '/subscriptions',
      query: 'admin/subscription-query',
      responses: { 200: 'admin/subscription-list' },
      handle: ({ query }) => {
        const { workspace_id, event, limit, offset } = query;
        const active = query.active === undefined ? undefined : query.active === 'true';
        const filters = { workspace_id, event, active };
        const page = store.page('subscriptions', filters, { limit, offset, newestFirst: true });
        return { status: 200, body: { ok: true, ...page } };
      },
    }),
  ];
}
