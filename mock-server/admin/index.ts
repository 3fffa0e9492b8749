/** The admin API under /__admin: guard, then one module per resource. */
import type { FastifyInstance } from 'fastify';
import { installResponseVerification, installSchemaValidation, MethodTable } from '../http';
import type { Services } from '../services';
import { dbBrowser } from './db-browser';
import { deliveryRoutes } from './deliveries';
import { eventRoutes } from './events';
import { faultRoutes } from './faults';
import { installAdminGuard } from './guard';
import { healthRoutes } from './health';
import { journalRoutes } from './journal';
import { addAdminRoutes } from './route';
import { stateRoutes } from './state';
import { workspaceRoutes } from './workspaces';

export function adminPlugin(services: Services, verify: boolean) {
  return async (app: FastifyInstance): Promise<void> => {
    installAdminGuard(app, services.settings.adminToken);
    installSchemaValidation(app);
    if (verify) installResponseVerification(app);
    const methods = new MethodTable();
    addAdminRoutes(app, methods, [
      ...healthRoutes(services),
      ...stateRoutes(services),
      ...workspaceRoutes(services),
      ...eventRoutes(services),
      ...deliveryRoutes(services),
      ...journalRoutes(services),
      ...faultRoutes(services),
    ]);
    methods.install(app);
    await app.register(dbBrowser(services), { prefix: '/db' });
  };
}
