/** The admin API under /__admin: guard, then one module per resource, in the one route shape. */
import type { FastifyInstance } from 'fastify';
import {
  installResponseVerification,
  installSchemaValidation,
  registerRoutes,
} from '../http/routing';
import { ownNotFoundContext } from '../http/other-methods';
import type { Services } from '../domain/services';
import { dbBrowser } from './db-browser';
import { deliveryRoutes } from './deliveries';
import { eventRoutes } from './events';
import { faultRuleRoutes } from './fault-rule-routes';
import { installAdminGuard } from './guard';
import { healthRoutes } from './health';
import { recentRequestsRoutes } from './recent-requests-route';
import { stateRoutes } from './state';
import { subscriptionRoutes } from './subscriptions';
import { workspaceRoutes } from './workspaces';

export function adminPlugin(services: Services, verify: boolean) {
  return async (app: FastifyInstance): Promise<void> => {
    installAdminGuard(app, services.settings.adminToken);
    ownNotFoundContext(app);
    installSchemaValidation(app);
    if (verify) installResponseVerification(app);
    registerRoutes(
      app,
      [
        ...healthRoutes(services),
        ...stateRoutes(services),
        ...workspaceRoutes(services),
        ...eventRoutes(services),
        ...subscriptionRoutes(services),
        ...deliveryRoutes(services),
        ...recentRequestsRoutes(services),
        ...faultRuleRoutes(services),
      ],
      { services, extra: () => ({}) },
    );
    await app.register(dbBrowser(services), { prefix: '/db' });
  };
}
