/** POST /__admin/events: make an event happen; it is recorded and delivered. */
import type { SimulateEventRequest } from '../../schemas/generated/admin/simulate-event';
import { ApiError } from '../errors';
import { simulateEvent } from '../events/simulate';
import type { Services } from '../services';
import type { AdminRoute } from './route';

export function eventRoutes({ store }: Services): AdminRoute[] {
  return [
    {
      method: 'POST',
      url: '/events',
      body: 'admin/simulate-event',
      response: 'admin/event-simulated',
      handler: async (request, reply) => {
        const body = request.body as Required<SimulateEventRequest>;
        const workspace = store.get('workspaces', body.workspace_id);
        if (!workspace) throw new ApiError('not-found', `no workspace ${body.workspace_id}`);
        const simulation = simulateEvent(store, workspace, body.event, body.data);
        await store.commit(simulation.changes);
        return reply
          .code(201)
          .send({ ok: true, event: simulation.payload, deliveries: simulation.deliveries });
      },
    },
  ];
}
