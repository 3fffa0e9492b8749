/** Fault rules: list, add, remove one, remove all. */
import type { FaultRule } from '../../schemas/generated';
import { ApiError } from '../errors';
import type { Services } from '../services';
import type { AdminRoute } from './route';

export function faultRoutes({ faults }: Services): AdminRoute[] {
  return [
    {
      method: 'GET',
      url: '/faults',
      response: 'admin/fault-list',
      handler: async () => ({ ok: true, items: faults.list() }),
    },
    {
      method: 'POST',
      url: '/faults',
      body: 'admin/fault-rule',
      response: 'admin/fault-list',
      handler: async (request, reply) => {
        const rule = request.body as FaultRule;
        if (rule.id !== undefined)
          throw new ApiError('invalid-request', 'id is given by the server');
        return reply.code(201).send({ ok: true, items: [faults.add(rule)] });
      },
    },
    {
      method: 'DELETE',
      url: '/faults',
      response: 'admin/done',
      handler: async () => {
        faults.clear();
        return { ok: true };
      },
    },
    {
      method: 'DELETE',
      url: '/faults/:id',
      response: 'admin/done',
      handler: async (request) => {
        const id = (request.params as { id: string }).id;
        if (!faults.remove(id)) throw new ApiError('not-found', `no fault rule ${id}`);
        return { ok: true };
      },
    },
  ];
}
