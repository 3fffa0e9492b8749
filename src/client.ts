/**
 * Where the Chatting API is. Read at call time, not at load time, so that tests, `zapier-platform
 * invoke` against the mock and a deployed app (with `zapier-platform env:set`) each pick up
 * their own CHATTING_BASE_URL.
 */
export const PRODUCTION_BASE_URL = 'https://usechatting.com/api/zapier';

/** Where users read about API keys and events. */
export const REFERENCE_URL = 'https://usechatting.com/guides/chatting-zapier-api-reference';

export function baseUrl(): string {
  const configured = process.env.CHATTING_BASE_URL?.trim() || PRODUCTION_BASE_URL;
  if (!/^https?:\/\/[^/]/.test(configured)) {
    throw new Error(`CHATTING_BASE_URL must be an absolute http(s) URL, not "${configured}"`);
  }
  return configured.replace(/\/+$/, '');
}

export function apiUrl(path: string): string {
  return `${baseUrl()}${path}`;
}
