/**
 * Delivers webhook payloads: each pending delivery is POSTed to its target URL, with bounded
 * concurrency, off the request path. Outcomes are stored after every attempt, so deliveries are
 * at least once and resume after a restart. An outcome that cannot be stored (a full disk) is
 * stored later, through the store's persist(), without sending the delivery again.
 *
 * - 2xx: delivered. 410 Gone: the subscription is deactivated (the REST-hook convention).
 * - Every other failure — network errors, timeouts, 5xx, 429 (its Retry-After wins), other 4xx,
 *   3xx (redirects are never followed) — is retried with exponential backoff and jitter, up to
 *   the attempt limit; then failed.
 * - A subscription deactivated meanwhile: the delivery is cancelled.
 *
 * Targets take turns at the places; one not yet answering (silent, or never tried) has one
 * attempt out, and such targets share half of the places (attempt-queue.ts): receivers that
 * hang cannot hold up the targets that answer.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Delivery } from '../../schemas/generated';
import type { DeliveryAttempt } from '../../schemas/generated/entities/delivery';
import { now } from '../domain/clock';
import { redactUrl } from '../http/redaction';
import { storeRecord, replacesAll, storedRecords, type Change } from '../store/collections';
import type { Store } from '../store/store';
import { isBlockedAddress } from '../domain/targets';
import { AttemptQueue, originOf } from './attempt-queue';
import { retryAfterMs } from './retry-after';

export interface DeliverySettings {
  /** Attempts per delivery, the first included (contract default 5). */
  attempts: number;
  /** Delay before the first retry; each next one doubles (contract default about 1 s). */
  backoffMs: number;
  /** Timeout of one attempt. */
  timeoutMs: number;
  /** Attempts running at once, across all targets. */
  concurrency: number;
  /** Refuse to connect to loopback, private, link-local and metadata addresses. */
  strictTargets: boolean;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  attempts: 5,
  backoffMs: 1000,
  timeoutMs: 10_000,
  concurrency: 8,
  strictTargets: false,
};

const USER_AGENT = 'chatting-mock-webhooks/1.0 (+https://usechatting.com)';

interface Outcome {
  statusCode: number | null;
  error: string | null;
  retryAfterMs: number | null;
}

export class Deliverer {
  private timers = new Map<string, NodeJS.Timeout>();
  /** Attempts that are due, waiting for a place (attempt-queue.ts: targets take turns). */
  private readonly due = new AttemptQueue(() => this.settings.concurrency);
  /** Attempts from start until their outcome is stored. */
  private running = new Map<string, Promise<void>>();
  /** Attempts whose request is out: what the concurrency setting bounds. */
  private posting = 0;
  private stopping = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly settings: DeliverySettings,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    store.onCommit((changes) => this.notice(changes));
  }

  /** Schedules every pending delivery in the store (after a start or a restart). */
  start(): void {
    for (const delivery of this.store.find('deliveries', 'by_status', ['pending'])) {
      this.schedule(delivery);
    }
  }

  get pending(): number {
    return this.store.count('deliveries', 'by_status', ['pending']);
  }

  /** Stops scheduling; attempts in flight are aborted and stay pending for the next start. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.due.clear();
    await Promise.allSettled(this.running.values());
  }

  private notice(changes: Change[]): void {
    if (this.stopping.signal.aborted) return;
    if (replacesAll(changes)) {
      for (const timer of this.timers.values()) clearTimeout(timer);
      this.timers.clear();
      this.due.clear();
      this.start();
      return;
    }
    for (const delivery of storedRecords(changes, 'deliveries')) {
      if (delivery.status === 'pending' && !this.running.has(delivery.id)) this.schedule(delivery);
    }
  }

  private schedule(delivery: Delivery): void {
    clearTimeout(this.timers.get(delivery.id));
    const due = delivery.next_attempt_at ? Date.parse(delivery.next_attempt_at) : Date.now();
    const timer = setTimeout(
      () => {
        this.timers.delete(delivery.id);
        this.due.add(delivery.id, originOf(delivery.target_url));
        this.pump();
      },
      Math.max(0, due - Date.now()),
    );
    timer.unref();
    this.timers.set(delivery.id, timer);
  }

  /**
   * Starts due attempts while fewer than `concurrency` requests are out. An attempt counts
   * until its request is answered, not while its outcome is being stored: the bound is on what
   * the targets receive, and storing (a disk sync) would otherwise hold the slot as long again.
   */
  private pump(): void {
    while (this.posting < this.settings.concurrency) {
      const next = this.due.take();
      if (!next) return;
      const { id, origin } = next;
      if (this.running.has(id)) {
        this.due.ended(origin, null);
        continue;
      }
      this.posting += 1;
      let posted = false;
      const release = (answered: boolean | null) => {
        if (posted) return;
        posted = true;
        this.posting -= 1;
        this.due.ended(origin, answered);
        this.pump();
      };
      const attempt = this.attempt(id, release)
        .catch((error: unknown) => this.log(`delivery ${id}: ${(error as Error).message}`))
        .finally(() => {
          this.running.delete(id);
          release(null);
        });
      this.running.set(id, attempt);
    }
  }

  /**
   * One attempt; `posted` is called once its request is over, saying whether the target
   * answered (null: nothing was sent).
   */
  private async attempt(id: string, posted: (answered: boolean | null) => void): Promise<void> {
    const delivery = this.store.get('deliveries', id);
    if (!delivery || delivery.status !== 'pending') return;
    const subscription = this.store.get('subscriptions', delivery.subscription_id);
    if (!subscription?.active) {
      await this.save(id, 'cancelled', (current) => [
        storeRecord('deliveries', {
          ...current,
          status: 'cancelled',
          next_attempt_at: null,
          completed_at: now(),
        }),
      ]);
      return;
    }
    const startedAt = now();
    const started = performance.now();
    const outcome = await this.post(delivery);
    posted(outcome.statusCode !== null);
    if (this.stopping.signal.aborted) return; // cut short by shutdown: stays pending
    const number = delivery.attempts + 1;
    const attempt: DeliveryAttempt = {
      number,
      started_at: startedAt,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      status_code: outcome.statusCode,
      error: outcome.error,
    };
    const code = outcome.statusCode;
    let updated: Delivery | undefined;
    const saved = await this.save(id, `attempt ${number}`, (current) => {
      updated = {
        ...current,
        attempts: number,
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        history: [...current.history, attempt],
      };
      const changes: Change[] = [storeRecord('deliveries', updated)];
      if (code !== null && code >= 200 && code < 300) {
        Object.assign(updated, { status: 'delivered', next_attempt_at: null, completed_at: now() });
      } else if (code === 410) {
        Object.assign(updated, { status: 'gone', next_attempt_at: null, completed_at: now() });
        const subscriptionNow = this.store.get('subscriptions', current.subscription_id);
        if (subscriptionNow?.active) {
          changes.push(
            storeRecord('subscriptions', {
              ...subscriptionNow,
              active: false,
              deactivated_at: now(),
            }),
          );
        }
      } else if (number < this.settings.attempts) {
        const delay = outcome.retryAfterMs ?? this.backoff(number);
        updated.next_attempt_at = new Date(Date.now() + delay).toISOString();
      } else {
        Object.assign(updated, { status: 'failed', next_attempt_at: null, completed_at: now() });
      }
      return changes;
    });
    if (!saved || !updated) return;
    // notice() skips deliveries with an attempt running (this one): schedule the retry here.
    if (updated.status === 'pending' && !this.stopping.signal.aborted) this.schedule(updated);
    this.log(
      `delivery ${id} ${updated.event} → ${redactUrl(updated.target_url)}: attempt ${number} ${code ?? outcome.error} (${updated.status})`,
    );
  }

  /**
   * Stores what became of a delivery, built from the delivery as it is when stored (an admin
   * reset or redeliver may have changed it meanwhile; one no longer pending is left alone). If
   * it cannot be stored now (a full disk), the store tries again on its own schedule; until then
   * the attempt stays running, so the delivery is not sent again. Resolves false when nothing
   * was stored (the delivery moved on, or the deliverer stopped).
   */
  private async save(
    id: string,
    what: string,
    changesFor: (current: Delivery) => Change[],
  ): Promise<boolean> {
    const saved = await this.store.persist(
      () => {
        const current = this.store.get('deliveries', id);
        return current?.status === 'pending' ? changesFor(current) : [];
      },
      {
        signal: this.stopping.signal,
        failed: (error) =>
          this.log(`delivery ${id}: ${what} not stored yet (${error.message}); trying again`),
      },
    );
    return Boolean(saved && saved.length > 0);
  }

  /** backoff · 2^(n-1), with ±20% jitter so that retries of many deliveries spread out. */
  private backoff(attemptNumber: number): number {
    const base = this.settings.backoffMs * 2 ** (attemptNumber - 1);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private post(delivery: Delivery): Promise<Outcome> {
    const body = JSON.stringify(delivery.payload);
    const url = new URL(delivery.target_url);
    const client = url.protocol === 'https:' ? https : http;
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    // Node skips the lookup hook for an IP literal: a stored or seeded one is checked here.
    if (this.settings.strictTargets && isIP(hostname) !== 0 && isBlockedAddress(hostname)) {
      return Promise.resolve({
        statusCode: null,
        error: 'EBLOCKED',
        retryAfterMs: null,
      });
    }
    // AbortSignal.any (the combinator, not a type): the attempt ends at shutdown or at its timeout.
    const signal = AbortSignal.any([
      this.stopping.signal,
      AbortSignal.timeout(this.settings.timeoutMs),
    ]);
    return new Promise((resolve) => {
      // One options object (not url, options, callback): wrappers of http.request in the same
      // process, such as zapier-platform-core's logging patch, take only two arguments.
      const request = client.request(
        {
          protocol: url.protocol,
          hostname,
          port: url.port || undefined,
          auth: url.username
            ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
            : undefined,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          signal,
          agent: false,
          lookup: this.settings.strictTargets ? strictLookup : undefined,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(body),
            'user-agent': USER_AGENT,
            'x-chatting-event': delivery.event,
            'x-chatting-delivery': delivery.id,
            'x-chatting-attempt': String(delivery.attempts + 1),
          },
        },
        (response) => {
          response.resume(); // the answer's body is not needed
          response.on('end', () =>
            resolve({
              statusCode: response.statusCode ?? null,
              error: null,
              retryAfterMs: retryAfterMs(response.headers['retry-after']),
            }),
          );
          response.on('error', (error) =>
            resolve({ statusCode: null, error: error.message, retryAfterMs: null }),
          );
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        const timedOut = error.name === 'AbortError' && !this.stopping.signal.aborted;
        resolve({
          statusCode: null,
          error: timedOut
            ? `timeout after ${this.settings.timeoutMs} ms`
            : (error.code ?? error.message),
          retryAfterMs: null,
        });
      });
      request.end(body);
    });
  }
}

/** DNS lookup that refuses blocked addresses, so a name cannot point a strict server inward. */
const strictLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const allowed = addresses.filter((a) => !isBlockedAddress(a.address));
    if (allowed.length === 0) {
      const refusal = Object.assign(new Error(`${hostname} resolves to a blocked address`), {
        code: 'EBLOCKED',
      });
      return callback(refusal, '', 0);
    }
    if (options.all)
      return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
    callback(null, allowed[0].address, allowed[0].family);
  });
};
