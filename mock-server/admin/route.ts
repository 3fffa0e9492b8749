/**
 * A route of the admin API in the one route shape (see routing.ts); its handler gets only its
 * validated request parts and the services.
 */
import { routeDefiner, type AnyRoute } from '../http/routing';

/** A seed loaded through the admin API may be much bigger than an API request. */
export const ADMIN_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

export type AdminRoute = AnyRoute<object>;

export const defineAdminRoute = routeDefiner<object>();

/**
 * The newest `limit` records, newest first, whose fields equal every filter given (compared as
 * text, as a query string gives them; a filter left out matches every record).
 */
export function newestMatching<R extends object>(
  records: readonly R[],
  filters: Partial<Record<keyof R, string | undefined>>,
  limit: number,
): R[] {
  const given = Object.entries(filters).filter(([, value]) => value) as [keyof R, string][];
  return records
    .filter((record) => given.every(([field, value]) => String(record[field]) === value))
    .slice(-limit)
    .reverse();
}
