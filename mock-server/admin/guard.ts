/**
 * The admin API can reset, rewrite and watch everything, so it is guarded, in this order:
 * - Host: bound to loopback, the request must name a loopback host (localhost, 127.x.x.x, ::1),
 *   the address the connection arrived at, or this machine's name. A web page that rebinds its
 *   own domain to the mock's address still sends its own domain as Host, and is refused. Bound
 *   off loopback (a team mock, which takes a token), any Host is served: the machine is then
 *   reached by names and addresses it cannot know (a DNS name, a NAT, a proxy), and the token,
 *   which a rebinding page does not have, is the guard.
 * - Origin: a state-changing call (anything but GET and HEAD) sent by a browser must come from
 *   the mock's own origin (the dashboard it serves): a foreign Origin, `Origin: null` or a
 *   cross-site Sec-Fetch-Site is refused, so a page cannot fire a blind no-cors POST at it.
 * - Token: bound to loopback the admin API needs none (local development); bound to any other
 *   address the server refuses to start without one; with a token, every admin call must carry
 *   it (X-Admin-Token, or Authorization: Bearer). An API key is never an admin credential.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLoopbackHost } from '../domain/addresses';
import { ApiError } from '../http/errors';

export const ADMIN_TOKEN_ENV = 'CHATTING_MOCK_ADMIN_TOKEN';

/**
 * What a token can be: visible ASCII, no spaces. A header carries nothing else as typed: HTTP
 * trims the spaces around a value (a token ' abc' could never match), and curl sends UTF-8 where
 * Node reads Latin-1 (a token 'schlüssel' matched from a browser, never from curl).
 */
const SENDABLE_TOKEN = /^[\x21-\x7e]+$/;

/** Why the server must not start with these settings, or null. An empty token is none. */
export function adminGuardRefusal(host: string, token: string | null): string | null {
  if (token && !SENDABLE_TOKEN.test(token)) {
    return (
      'refusing the admin token: it must be visible ASCII characters (letters, digits, ' +
      'punctuation) without spaces, or clients could not send it in the X-Admin-Token header'
    );
  }
  if (token || isLoopbackHost(host)) return null;
  return (
    `refusing to listen on ${host} without an admin token: the admin API (/__admin) could then ` +
    `reset and read every workspace from the network. Pass --admin-token (or set ${ADMIN_TOKEN_ENV}), ` +
    'or listen on 127.0.0.1.'
  );
}

/** The host name of a Host header (`[::1]:3000` → `::1`), lower case, without a final dot. */
function hostOf(header: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(header);
  const name = bracketed ? bracketed[1] : header.replace(/:\d*$/, '');
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * The host the request names: an absolute-form target's (`GET http://name/…`), which RFC 9112
 * §3.2.2 says a server must use instead of the Host header, or else the Host header.
 */
function requestAuthority(request: FastifyRequest): string {
  const target = request.raw.url ?? '';
  if (/^https?:\/\//i.test(target)) {
    try {
      return new URL(target).host;
    } catch {
      return '';
    }
  }
  return request.headers.host ?? '';
}

function isOwnHost(request: FastifyRequest): boolean {
  const host = hostOf(requestAuthority(request));
  if (isLoopbackHost(host)) return true;
  const arrivedAt = (request.raw.socket?.localAddress ?? '').replace(/^::ffff:/, '');
  return host === arrivedAt.toLowerCase() || host === hostname().toLowerCase();
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

function isForeignOrigin(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false; // not a browser (curl, tests, the Zapier CLI)
  try {
    // The page's scheme is the Origin's: the mock serves plain HTTP, but behind a TLS proxy the
    // browser is on https. Both go through URL, so that a scheme's default port (`:80`, `:443`)
    // compares equal to none.
    const page = new URL(origin);
    if (page.protocol !== 'http:' && page.protocol !== 'https:') return true;
    return page.origin !== new URL(`${page.protocol}//${requestAuthority(request)}`).origin;
  } catch {
    return true; // `null` (a sandboxed page, a file) or garbage
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Whether the server listens on an address other than loopback (0.0.0.0, ::, a LAN address).
 * Read from the socket itself, whoever called listen; before it listens (inject), no.
 */
function listensOffLoopback(app: FastifyInstance): boolean {
  const bound = app.server.address();
  return typeof bound === 'object' && bound !== null && !isLoopbackHost(bound.address);
}

export function installAdminGuard(app: FastifyInstance, token: string | null): void {
  const expected = token ? digest(token) : null;
  app.addHook('onRequest', async (request) => {
    const anyHost = expected !== null && listensOffLoopback(app);
    if (!anyHost && !isOwnHost(request)) {
      throw new ApiError('admin-origin-forbidden', 'the admin API answers only its own host');
    }
    if (isForeignOrigin(request)) {
      throw new ApiError('admin-origin-forbidden', 'admin changes are not taken from another site');
    }
    if (!expected) return;
    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const header = request.headers['x-admin-token'];
    const given = (typeof header === 'string' ? header : undefined) ?? bearer;
    if (!given) {
      throw new ApiError(
        'admin-token-missing',
        'the admin API needs the admin token (X-Admin-Token)',
      );
    }
    if (!timingSafeEqual(digest(given), expected)) {
      throw new ApiError('admin-token-invalid', 'the admin token is not valid');
    }
  });
}
