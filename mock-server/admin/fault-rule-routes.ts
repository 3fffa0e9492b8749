/** Fault rules: list, add, remove one, remove all. They live in memory: nothing is stored. */
import { ApiError } from '../http/errors';
import type { Services } from '../domain/services';
import { defineAdminRoute, type AdminRoute } from './route';

export function faultRuleRoutes({ faults }: Services): AdminRoute[] {
  return [
    defineAdminRoute({
      method: 'GET',
      url: '/faults',
      responses: { 200: 'admin/fault-list' },
      handle: () => ({ status: 200, body: { ok: true, items: faults.list() } }),
    }),
    defineAdminRoute({
      method: 'POST',
      url: '/faults',
      body: 'admin/fault-rule',
      responses: { 201: 'admin/fault-list' },
      handle: ({ body }) => {
        if (body.id !== undefined)
          throw new ApiError('invalid-request', 'id is given by the server');
        return { status: 201, body: { ok: true, items: [faults.add(body)] } };
      },
    }),
    defineAdminRoute({
      method: 'DELETE',
      url: '/faults',
      responses: { 200: 'admin/done' },
      handle: () => {
        faults.clear();
        return { status: 200, body: { ok: true } };
      },
    }),
    defineAdminRoute({
      method: 'DELETE',
      url: '/faults/:id',
      params: 'requests/id-param',
      responses: { 200: 'admin/done' },
      handle: ({ params }) => {
        if (!faults.remove(params.id))
          throw new ApiError('not-found', `no fault rule ${params.id}`);
        return { status: 200, body: { ok: true } };
      },
    }),
  ];
}
