/** GET /__admin/subscriptions: the REST-hook subscriptions of every workspace, active or not. */
import type { Services } from '../domain/services';
import { defineAdminRoute, newestMatching, type AdminRoute } from './route';

export function subscriptionRoutes({ store }: Services): AdminRoute[] {
  return [
    defineAdminRoute({
      method: 'GET',
      url: '/subscriptions',
      query: 'admin/subscription-query',
      responses: { 200: 'admin/subscription-list' },
      handle: ({ query }) => {
        const { workspace_id, event, active } = query;
        const items = newestMatching(
          store.all('subscriptions'),
          { workspace_id, event, active },
          query.limit,
        );
        return { status: 200, body: { ok: true, items } };
      },
    }),
  ];
}
