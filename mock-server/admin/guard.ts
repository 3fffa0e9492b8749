/**
 * The admin API can reset, rewrite and watch everything, so it is guarded: bound to loopback it
 * is open (for local development); bound to any other address the server refuses to start
 * without an admin token; with a token, every admin call must carry it (X-Admin-Token, or
 * Authorization: Bearer). An API key is never an admin credential.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors';

export const ADMIN_TOKEN_ENV = 'CHATTING_MOCK_ADMIN_TOKEN';

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Why the server must not start with these settings, or null. */
export function adminGuardRefusal(host: string, token: string | null): string | null {
  if (token || isLoopbackHost(host)) return null;
  return (
    `refusing to listen on ${host} without an admin token: the admin API (/__admin) could then ` +
    `reset and read every workspace from the network. Pass --admin-token (or set ${ADMIN_TOKEN_ENV}), ` +
    'or listen on 127.0.0.1.'
  );
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function installAdminGuard(app: FastifyInstance, token: string | null): void {
  if (!token) return;
  const expected = digest(token);
  app.addHook('onRequest', async (request) => {
    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const given = (request.headers['x-admin-token'] as string | undefined) ?? bearer;
    if (!given)
      throw new ApiError('api-key-missing', 'the admin API needs the admin token (X-Admin-Token)');
    if (!timingSafeEqual(digest(given), expected)) {
      throw new ApiError('api-key-invalid', 'the admin token is not valid');
    }
  });
}
