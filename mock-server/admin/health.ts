/** GET /__admin/health: the server is up and its store answers. */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services';

export function health(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/health', async () => ({
      ok: true,
      workspaces: services.store.all('workspaces').length,
      contacts: services.store.all('contacts').length,
    }));
  };
}
