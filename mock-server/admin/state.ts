/**
 * POST /__admin/reset (back to the seed the data was created from) and POST /__admin/seed (load
 * another one).
 */
import { ApiError } from '../http/errors';
import type { Services } from '../domain/services';
import { replaceAll, type Collections } from '../store/collections';
import { parseSeed } from '../store/seed';
import { ADMIN_BODY_LIMIT_BYTES, defineAdminRoute, type AdminRoute } from './route';

export function stateRoutes(services: Services): AdminRoute[] {
  // The store's own reset change, so that the one commit of the route shape stores it.
  const resetTo = (seed: Collections) => [replaceAll(seed)];
  return [
    defineAdminRoute({
      method: 'POST',
      url: '/reset',
      responses: { 200: 'admin/done' },
      handle: () => {
        services.faults.clear();
        return { status: 200, body: { ok: true }, changes: resetTo(services.store.seed) };
      },
    }),
    defineAdminRoute({
      method: 'POST',
      url: '/seed',
      body: 'admin/seed',
      responses: { 200: 'admin/done' },
      bodyLimit: ADMIN_BODY_LIMIT_BYTES,
      handle: ({ body }) => {
        let seed;
        try {
          seed = parseSeed(body, 'seed');
        } catch (error) {
          throw new ApiError('invalid-request', (error as Error).message);
        }
        return { status: 200, body: { ok: true }, changes: resetTo(seed) };
      },
    }),
  ];
}
