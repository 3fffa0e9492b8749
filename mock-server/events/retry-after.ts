/**
 * Reading a target's Retry-After header: whole seconds or an HTTP date, as a delay in ms, never
 * negative and capped (a mock should not sleep for a day); null when absent or unreadable.
 */

/** Retry-After beyond this is capped. */
export const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;

export function retryAfterMs(
  header: string | undefined,
  nowMs: number = Date.now(),
): number | null {
  const text = header?.trim();
  if (!text) return null;
  // Date.parse reads `-5` or `1.5` as dates: an HTTP date always names its day and month.
  const ms = /^\d+$/.test(text)
    ? Number(text) * 1000
    : /[a-z]{3}/i.test(text)
      ? Date.parse(text) - nowMs
      : NaN;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : null;
}
