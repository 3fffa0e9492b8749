/** GET /__admin/health: up, which store, and how many deliveries are waiting. */
import type { Services } from '../services';
import type { AdminRoute } from './route';

export function healthRoutes(services: Services): AdminRoute[] {
  return [
    {
      method: 'GET',
      url: '/health',
      response: 'admin/health',
      handler: async () => ({
        ok: true,
        uptime_s: Math.round((Date.now() - services.startedAt) / 100) / 10,
        store: services.store.durable ? 'file' : 'memory',
        deliveries_pending: services.deliverer.pending,
      }),
    },
  ];
}
