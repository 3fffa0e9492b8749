/**
 * Per-key rate limiting (--rate-limit N: N requests a minute per API key), as a token bucket:
 * bursts up to N, refilled continuously. Over the limit: 429 rate-limited with Retry-After.
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: number) {}

  /** Takes one request from the key's bucket; returns the seconds to wait if it is empty. */
  take(
    key: string,
    nowMs: number = Date.now(),
  ): { allowed: true } | { allowed: false; retryAfterS: number } {
    const refillPerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: nowMs };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (nowMs - bucket.at) * refillPerMs);
    bucket.at = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000)),
    };
  }
}
