/**
 * A route of the admin API in the one route shape (see routing.ts); its handler gets only its
 * validated request parts and the services.
 */
import { routeDefiner, type AnyRoute } from '../http/routing';

/** A seed loaded through the admin API may be much bigger than an API request. */
export const ADMIN_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

export type AdminRoute = AnyRoute<object>;

export const defineAdminRoute = routeDefiner<object>();
