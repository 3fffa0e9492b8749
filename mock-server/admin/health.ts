/** GET /__admin/health: up, which store, and how many deliveries are waiting. */
import type { Services } from '../domain/services';
import { defineAdminRoute, type AdminRoute } from './route';

export function healthRoutes(services: Services): AdminRoute[] {
  return [
    defineAdminRoute({
      method: 'GET',
      url: '/health',
      responses: { 200: 'admin/health' },
      handle: () => ({
        status: 200,
        body: {
          ok: true,
          uptime_s: Math.round((Date.now() - services.startedAt) / 100) / 10,
          store: services.store.durable ? 'file' : 'memory',
          deliveries_pending: services.deliverer.pending,
        },
      }),
    }),
  ];
}
