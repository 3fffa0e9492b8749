/**
 * The delivery attempts that are due, waiting for one of the deliverer's places, by the origin of
 * their target (`http://host:port`). Origins take turns, each in its own order of arrival, so a
 * target with a long backlog does not make every other target wait behind it.
 *
 * An origin is answering once its last attempt got an HTTP answer (any status), silent when it
 * got none (a timeout, a refused or reset connection), and unproven before its first outcome.
 * An origin that is not answering (silent or unproven) has one attempt out at a time, and such
 * origins together at most half of the places: receivers that never answer, however many, hold
 * at most half of the places for their timeouts, and the rest always serve targets that answer.
 * An answering origin may use every place. A new target's first attempt takes its turn among
 * the origins not yet answering (with many hung ones, several of their timeouts); once it has
 * answered, it is served at once. With a single place there is no half to keep.
 */
export class AttemptQueue {
  /** Delivery ids waiting, by origin; the map's order is the order of turns. */
  private waiting = new Map<string, string[]>();
  /** Attempts out, by origin (only origins with attempts out: at most one per place). */
  private out = new Map<string, number>();
  /** Origins whose last attempt got an answer. */
  private answering = new Set<string>();
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
    const places = this.places();
    const unprovenRoom = this.unprovenOut() < Math.max(1, Math.floor(places / 2));
    for (const [origin, ids] of this.waiting) {
      const out = this.out.get(origin) ?? 0;
      if (this.answering.has(origin) ? out >= places : out >= 1 || !unprovenRoom) continue;
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
    if (answered === true) {
      this.silent.delete(origin);
      this.answering.add(origin);
    } else if (answered === false) {
      this.answering.delete(origin);
      this.silent.add(origin);
    }
  }

  /**
   * Drops every waiting attempt, and what is known of the origins (a reset or a new seed starts
   * afresh); attempts out still end through ended().
   */
  clear(): void {
    this.waiting.clear();
    this.answering.clear();
    this.silent.clear();
  }

  /** Attempts out to origins that are not answering. */
  private unprovenOut(): number {
    let count = 0;
    for (const [origin, out] of this.out) if (!this.answering.has(origin)) count += out;
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
