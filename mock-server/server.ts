/**
 * Builds the mock server: the store, the deliverer, the /api/zapier plugin, the admin API, the
 * request log and journal, and the error envelope everywhere. `close` drains in-flight requests,
 * stops deliveries (pending ones resume at the next start) and flushes the store.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import { compileAll } from '../schemas/validator';
import { adminPlugin } from './admin';
import { API_PREFIX, apiPlugin } from './api';
import { BODY_LIMIT_BYTES, installErrorHandling } from './errors';
import { DEFAULT_DELIVERY_SETTINGS, Deliverer, type DeliverySettings } from './events/deliverer';
import { FaultRules } from './faults';
import { IDEMPOTENCY_RETENTION_MS } from './idempotency';
import { RequestJournal } from './request-journal';
import type { Services, Settings } from './services';
import type { Collections } from './store/collections';
import { demoSeed } from './store/seed';
import { Store } from './store/store';

export interface ServerOptions extends Partial<Settings> {
  /** The data file; absent means memory only (a throwaway run). */
  dbFile?: string;
  /** The seed for a new data file and for reset; default: the demo workspaces. */
  seed?: Collections;
  /** Fold the journal into the data file once it is this big (default 4 MiB). */
  compactAfterBytes?: number;
  /** Webhook delivery: attempts, backoff, timeout, concurrency (contract defaults otherwise). */
  delivery?: Partial<Omit<DeliverySettings, 'strictTargets'>>;
  /** How many requests the request journal keeps (default 1000). */
  journalSize?: number;
  /** Check every stored record and every answer against the schemas (tests). */
  verify?: boolean;
  /** Where log lines go; API keys are redacted before they get there. Default: nowhere. */
  log?: (line: string) => void;
}

export interface MockServer {
  app: FastifyInstance;
  services: Services;
  /** Every route the server answers (not its 405 answers for other methods, nor HEAD). */
  routes: { method: string; url: string }[];
  /** Stops accepting, finishes in-flight requests, flushes and snapshots the store. */
  close(): Promise<void>;
}

const KEY_PATTERN = /chatting_live_[A-Za-z0-9]+_[A-Za-z0-9]+/g;

/** Log lines never carry an API key, wherever in the line it appears. */
export function redact(line: string): string {
  return line.replace(KEY_PATTERN, 'chatting_live_[redacted]');
}

export async function createServer(options: ServerOptions = {}): Promise<MockServer> {
  compileAll();
  const log = (line: string): void => options.log?.(redact(line));
  const store = await Store.open({
    file: options.dbFile,
    seed: options.seed ?? demoSeed(),
    verifyRecords: options.verify ?? false,
    compactAfterBytes: options.compactAfterBytes,
    expireAfterMs: { idempotency_keys: IDEMPOTENCY_RETENTION_MS },
  });
  const settings: Settings = {
    strictTargets: options.strictTargets ?? false,
    rateLimitPerMinute: options.rateLimitPerMinute ?? null,
    adminToken: options.adminToken ?? null,
  };
  const deliverer = new Deliverer(
    store,
    {
      ...DEFAULT_DELIVERY_SETTINGS,
      ...definedOnly(options.delivery ?? {}),
      strictTargets: settings.strictTargets,
    },
    log,
  );
  const services: Services = {
    store,
    settings,
    deliverer,
    faults: new FaultRules(),
    requests: new RequestJournal(options.journalSize ?? 1000, redact),
    startedAt: Date.now(),
  };

  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    http: { maxHeaderSize: 64 * 1024 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    clientErrorHandler: answerClientError,
  });
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app, (error) => log(`internal error: ${error.message}`));
  services.requests.install(app);
  const routes: MockServer['routes'] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.config?.methodNotAllowed) return;
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  app.addHook('onResponse', async (request, reply) => {
    const ms = reply.elapsedTime.toFixed(1);
    const workspace = request.workspace?.id ?? '-';
    log(`${request.method} ${request.url} ${reply.statusCode} ${ms}ms ${workspace}`);
  });

  await app.register(apiPlugin({ services, verifyResponses: options.verify ?? false }), {
    prefix: API_PREFIX,
  });
  await app.register(adminPlugin(services, options.verify ?? false), { prefix: '/__admin' });
  deliverer.start();

  return {
    app,
    services,
    routes,
    close: async () => {
      await app.close();
      await deliverer.stop();
      await store.close();
    },
  };
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** Malformed HTTP (bad header bytes, oversized headers) still gets the envelope. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const message =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'the request headers are too large'
      : 'malformed HTTP request';
  const body = JSON.stringify({ ok: false, error: 'invalid-request', message });
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
