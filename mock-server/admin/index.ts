/** The admin API under /__admin. */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services';
import { dbBrowser } from './db-browser';
import { health } from './health';

export function adminPlugin(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(health(services));
    await app.register(dbBrowser(services), { prefix: '/db' });
  };
}
