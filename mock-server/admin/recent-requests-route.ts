/** GET /__admin/journal: the request journal's last entries, newest first. */
import type { Services } from '../domain/services';
import { defineAdminRoute, type AdminRoute } from './route';

export function recentRequestsRoutes({ requests }: Services): AdminRoute[] {
  return [
    defineAdminRoute({
      method: 'GET',
      url: '/journal',
      query: 'admin/journal-query',
      responses: { 200: 'admin/journal-list' },
      handle: ({ query }) => ({
        status: 200,
        body: {
          ok: true,
          items: requests.latest(query.limit, { status: query.status, path: query.path }),
        },
      }),
    }),
  ];
}
