/**
 * The delivery attempts that are due, waiting for one of the deliverer's places, by the origin of
 * their target (`http://host:port`). Origins take turns, each in its own order of arrival, so a
 * target with a long backlog does not make every other target wait behind it. An origin whose
 * last attempt got no answer at all (a timeout, a refused or reset connection) is silent until
 * it answers again: it has at most one attempt out, and the silent origins together at most half
 * of the places. Targets that never answer then hold those places for their timeouts, never all
 * of them, however many there are, so they cannot hold up the deliveries of every other
 * workspace.
 */
export class AttemptQueue {
  /** Delivery ids waiting, by origin; the map's order is the order of turns. */
  private waiting = new Map<string, string[]>();
  /** Attempts out, by origin. */
  private out = new Map<string, number>();
  /** Origins whose last attempt got no answer. */
  private silent = new Set<string>();

  constructor(private readonly places: () => number) {}

  add(id: string, origin: string): void {
    const ids = this.waiting.get(origin);
    if (ids) ids.push(id);
    else this.waiting.set(origin, [id]);
  }

  /** The next attempt to start (counted as out), or null if none may start now. */
  take(): { id: string; origin: string } | null {
    const silentRoomLeft = this.silentOut() < Math.max(1, Math.floor(this.places() / 2));
    for (const [origin, ids] of this.waiting) {
      const out = this.out.get(origin) ?? 0;
      const silent = this.silent.has(origin);
      if (silent ? out >= 1 || !silentRoomLeft : out >= this.places()) continue;
      const id = ids.shift() as string;
      // To the end of the turns (or gone, with nothing left).
      this.waiting.delete(origin);
      if (ids.length > 0) this.waiting.set(origin, ids);
      this.out.set(origin, out + 1);
      return { id, origin };
    }
    return null;
  }

  /**
   * An attempt taken is over: `answered` says whether its target answered at all (any status);
   * null when nothing was sent (a delivery cancelled or already done).
   */
  ended(origin: string, answered: boolean | null): void {
    const out = (this.out.get(origin) ?? 1) - 1;
    if (out > 0) this.out.set(origin, out);
    else this.out.delete(origin);
    if (answered === true) this.silent.delete(origin);
    else if (answered === false) this.silent.add(origin);
  }

  /**
   * Drops every waiting attempt, and what is known of silent origins (a reset or a new seed
   * starts afresh); attempts out still end through ended().
   */
  clear(): void {
    this.waiting.clear();
    this.silent.clear();
  }

  /** Attempts out to silent origins (`out` holds only origins with attempts out: few). */
  private silentOut(): number {
    let count = 0;
    for (const [origin, out] of this.out) if (this.silent.has(origin)) count += out;
    return count;
  }
}

/** The origin of a target URL, which the deliverer's turns are by (the URL itself if unparsable). */
export function originOf(targetUrl: string): string {
  try {
    return new URL(targetUrl).origin;
  } catch {
    return targetUrl;
  }
}
