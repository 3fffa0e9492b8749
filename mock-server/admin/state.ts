/** POST /__admin/reset (back to the start seed) and POST /__admin/seed (load another one). */
import { ApiError } from '../errors';
import type { Services } from '../services';
import { parseSeed } from '../store/seed';
import { ADMIN_BODY_LIMIT_BYTES, type AdminRoute } from './route';

export function stateRoutes(services: Services): AdminRoute[] {
  return [
    {
      method: 'POST',
      url: '/reset',
      response: 'admin/done',
      handler: async () => {
        services.faults.clear();
        await services.store.reset();
        return { ok: true };
      },
    },
    {
      method: 'POST',
      url: '/seed',
      response: 'admin/done',
      bodyLimit: ADMIN_BODY_LIMIT_BYTES,
      handler: async (request) => {
        let seed;
        try {
          seed = parseSeed(request.body, 'seed');
        } catch (error) {
          throw new ApiError('invalid-request', (error as Error).message);
        }
        await services.store.reset(seed);
        return { ok: true };
      },
    },
  ];
}
