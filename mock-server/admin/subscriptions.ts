/** GET /__admin/subscriptions: the REST-hook subscriptions of every workspace, active or not. */
import type { Services } from '../services';
import { defineAdminRoute, type AdminRoute } from './route';

export function subscriptionRoutes({ store }: Services): AdminRoute[] {
  return [
    defineAdminRoute({
      method: 'GET',
      url: '/subscriptions',
      query: 'admin/subscription-query',
      responses: { 200: 'admin/subscription-list' },
      handle: ({ query }) => {
        const items = store
          .all('subscriptions')
          .filter(
            (s) =>
              (!query.workspace_id || s.workspace_id === query.workspace_id) &&
              (!query.event || s.event === query.event) &&
              (!query.active || String(s.active) === query.active),
          )
          .slice(-query.limit)
          .reverse();
        return { status: 200, body: { ok: true, items } };
      },
    }),
  ];
}
