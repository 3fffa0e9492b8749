/**
 * An endpoint of /api/zapier in the one route shape (see routing.ts): besides its validated
 * request parts, its handler gets the workspace of the caller's API key. Handlers return the
 * answer and the changes to store without touching the store.
 */
import type { Workspace } from '../../schemas/generated';
import { routeDefiner, type AnyRoute } from '../http/routing';

export interface Caller {
  workspace: Workspace;
}

export type Endpoint = AnyRoute<Caller>;

export const defineEndpoint = routeDefiner<Caller>();
