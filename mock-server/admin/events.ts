/** POST /__admin/events: make an event happen; it is recorded and delivered. */
import { ApiError } from '../http/errors';
import { simulateEvent } from '../events/simulate';
import type { Services } from '../domain/services';
import { defineAdminRoute, type AdminRoute } from './route';

export function eventRoutes({ store }: Services): AdminRoute[] {
  return [
    defineAdminRoute({
      method: 'POST',
      url: '/events',
      body: 'admin/simulate-event',
      responses: { 201: 'admin/event-simulated' },
      handle: ({ body }) => {
        const workspace = store.get('workspaces', body.workspace_id);
        if (!workspace) throw new ApiError('not-found', `no workspace ${body.workspace_id}`);
        // The schema has checked data against the event's own payload data (its if/then).
        const simulation = simulateEvent(store, workspace, body.event, body.data);
        return {
          status: 201,
          body: { ok: true, event: simulation.payload, deliveries: simulation.deliveries },
          changes: simulation.changes,
        };
      },
    }),
  ];
}
