/**
 * Where the Chatting API is. Read at call time, not at load time, so that tests, `zapier-platform
 * invoke` against the mock and a deployed app (with `zapier-platform env:set`) each pick up
 * their own CHATTING_BASE_URL.
 */
export const PRODUCTION_BASE_URL = 'https://usechatting.com/api/zapier';

/** Where users read about API keys and events. */
export const REFERENCE_URL = 'https://usechatting.com/guides/chatting-zapier-api-reference';

/** Hosts that never leave the machine: plain http is safe there (a local mock). */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  );
}

/**
 * `configured` as an API base URL, or the error that says why not. An API key travels in every
 * request, so plain http is allowed only where it cannot be overheard (loopback), or when the
 * maintainer says so with CHATTING_ALLOW_HTTP=1 (a team mock on a private network). Exported
 * for what sends the app's requests on elsewhere (`npm run zap`'s relay): one rule, one place.
 */
export function checkedBaseUrl(configured: string): string {
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    url = new URL('invalid:');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) {
    throw new Error(`CHATTING_BASE_URL must be an absolute http(s) URL, not "${configured}".`);
  }
  if (
    url.protocol === 'http:' &&
    !isLoopback(url.hostname) &&
    process.env.CHATTING_ALLOW_HTTP !== '1'
  ) {
    throw new Error(
      `CHATTING_BASE_URL must use https for ${url.hostname}: the API key would travel unencrypted. Plain http is allowed for localhost and 127.0.0.1; for another host on a private network, set CHATTING_ALLOW_HTTP=1 as well.`,
    );
  }
  return configured.replace(/\/+$/, '');
}

/** The API base URL: CHATTING_BASE_URL (production when unset), checked. */
export function baseUrl(): string {
  return checkedBaseUrl(process.env.CHATTING_BASE_URL?.trim() || PRODUCTION_BASE_URL);
}

export function apiUrl(path: string): string {
  return `${baseUrl()}${path}`;
}
