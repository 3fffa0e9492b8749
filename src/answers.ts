/**
 * The documented shape of an answer is checked before the app uses it: an answer of another
 * shape (a proxy's page, an API that changed) is an error that names the call and shows what
 * came back, never an empty list of samples or choices.
 */
import type { HttpResponse, ZObject } from 'zapier-platform-core';
import { baseUrl } from './client';

/** How much of an unexpected answer the error shows. */
const SHOWN_CHARACTERS = 200;

/** The call as the reference writes it: `GET /conversations?limit=1`. */
export function callName(response: HttpResponse): string {
  const url = response.request.url ?? '';
  const base = baseUrl();
  return `${response.request.method ?? 'GET'} ${url.startsWith(base) ? url.slice(base.length) : url}`;
}

function parsed(response: HttpResponse): unknown {
  try {
    return JSON.parse(response.content) as unknown;
  } catch {
    return undefined;
  }
}

/** The answer's body if `isDocumented` holds; otherwise an error naming the call. */
export function documentedAnswer<T>(
  z: ZObject,
  response: HttpResponse,
  isDocumented: (body: unknown) => body is T,
  expected: string,
): T {
  const body = parsed(response);
  if (isDocumented(body)) return body;
  const text = response.content.trim();
  const shown =
    text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text || '(empty)';
  throw new z.errors.Error(
    `Chatting answered ${callName(response)} with something other than ${expected}: ${shown}. Try again later; if it keeps happening, tell Chatting support what this message says.`,
    'UnexpectedAnswer',
    response.status,
  );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{"ok": true, ...}` with a non-empty string `id`: what every create and subscribe answers. */
export function isSavedRecord(body: unknown): body is { ok: true; id: string } {
  return isObject(body) && body.ok === true && typeof body.id === 'string' && body.id !== '';
}

/** A copy of `value` without `key`. */
export function without<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const copy: Partial<T> = { ...value };
  delete copy[key];
  return copy as Omit<T, K>;
}
