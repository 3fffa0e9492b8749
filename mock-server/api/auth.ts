/**
 * X-API-Key on every /api/zapier route, checked before the body is read: absent or empty is
 * api-key-missing; anything else that does not verify (malformed, unknown, revoked, wrong
 * secret) is api-key-invalid, without saying which.
 */
import type { Workspace } from '../../schemas/generated';
import { ApiError } from '../http/errors';
import { parseToken, secretMatches } from '../domain/keys';
import type { Store } from '../store/store';

export function authenticate(
  store: Store,
  header: string | string[] | undefined,
): { workspace: Workspace; keyId: string } {
  const token = Array.isArray(header) ? header.join(',') : (header ?? '');
  if (token.trim() === '') throw new ApiError('api-key-missing', 'send your API key in X-API-Key');
  const parsed = parseToken(token.trim());
  const key = parsed ? store.get('api_keys', parsed.keyId) : undefined;
  const workspace = key ? store.get('workspaces', key.workspace_id) : undefined;
  if (
    !parsed ||
    !key ||
    key.revoked_at !== null ||
    !workspace ||
    !secretMatches(key, parsed.secret)
  ) {
    throw new ApiError('api-key-invalid', 'the API key is not valid');
  }
  return { workspace, keyId: key.id };
}
