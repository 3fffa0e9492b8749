/**
 * Builds the mock server: the store, the deliverer, the /api/zapier plugin, the admin API, the
 * request log and journal, and the error envelope everywhere. `close` drains in-flight requests,
 * stops deliveries (pending ones resume at the next start) and closes the store.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { METHODS } from 'node:http';
import { adminPlugin } from './admin';
import { FaultRules } from './api/fault-injection';
import { IDEMPOTENCY_RETENTION_MS } from './api/idempotency';
import { apiPlugin } from './api/plugin';
import { API_PREFIX } from './api/prefix';
import {
  answerClientError,
  installConnectionOrder,
  OrderedResponse,
  STOP_GRACE_MS,
} from './http/connections';
import { answerFrameworkError, BODY_LIMIT_BYTES, installErrorHandling } from './http/errors';
import { DEFAULT_DELIVERY_SETTINGS, Deliverer, type DeliverySettings } from './events/deliverer';
import { installIncomingChecks } from './http/incoming';
import { installOtherMethods, KnownPaths } from './http/other-methods';
import { pagesPlugin } from './pages/plugin';
import { RecentRequests } from './http/recent-requests';
import { redact, redactUrl } from './http/redaction';
import type { Services, Settings } from './domain/services';
import type { Collections } from './store/collections';
import { demoSeed } from './store/seed';
import { Store } from './store/store';

export interface ServerOptions extends Partial<Settings> {
  /** The database file; absent means an in-memory database (a throwaway run). */
  dbFile?: string;
  /** The seed for a new database and for reset; default: the demo workspaces. */
  seed?: Collections;
  /** Webhook delivery: attempts, backoff, timeout, concurrency (contract defaults otherwise). */
  delivery?: Partial<Omit<DeliverySettings, 'strictTargets'>>;
  /** How many requests the request journal keeps (default 1000). */
  journalSize?: number;
  /** How many bytes the request journal's entries may hold (default JOURNAL_MAX_BYTES, 32 MiB). */
  journalBytes?: number;
  /** Check every stored record and every answer against the schemas (tests). */
  verify?: boolean;
  /** Where log lines go; API keys are redacted before they get there. Default: nowhere. */
  log?: (line: string) => void;
  /**
   * How long a client may take to send its headers and its whole request, and how long a
   * connection answered early goes on reading (defaults below).
   */
  timeouts?: Partial<RequestTimeouts>;
}

export interface RequestTimeouts {
  headersMs: number;
  requestMs: number;
  /** How long a connection answered before its body arrived reads and drops the rest. */
  lingerMs: number;
}

/** Longer than any id the schemas allow: the route's params schema decides, not the router. */
const MAX_PARAM_LENGTH = 1024;

/** A client that has not sent its headers, or its whole request, by then gets 408. */
export const DEFAULT_REQUEST_TIMEOUTS: RequestTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  lingerMs: 2_000,
};

export interface MockServer {
  app: FastifyInstance;
  services: Services;
  /** Every API and admin route (not HEAD, nor pages). */
  routes: { method: string; url: string }[];
  /** Stops accepting, finishes in-flight requests, commits what is pending, closes the store. */
  close(): Promise<void>;
}

export async function createServer(options: ServerOptions = {}): Promise<MockServer> {
  const log = (line: string): void => options.log?.(redact(line));
  const store = Store.open({
    file: options.dbFile,
    seed: options.seed ?? demoSeed(),
    verifyRecords: options.verify ?? false,
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
    requests: new RecentRequests(options.journalSize ?? 1000, options.journalBytes),
    startedAt: Date.now(),
  };

  const timeouts = { ...DEFAULT_REQUEST_TIMEOUTS, ...definedOnly(options.timeouts ?? {}) };
  const knownPaths = new KnownPaths(MAX_PARAM_LENGTH);
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    requestTimeout: timeouts.requestMs,
    http: {
      maxHeaderSize: 64 * 1024,
      headersTimeout: timeouts.headersMs,
      // Node checks the two timeouts this often (30 s by default, far coarser than they are).
      connectionsCheckingInterval: Math.max(10, Math.min(1000, timeouts.headersMs / 4)),
      requireHostHeader: false,
      ServerResponse: OrderedResponse,
    },
    // fastify's own 503 while closing has its own body: installIncomingChecks answers
    // shutting-down with the envelope instead.
    return503OnClosing: false,
    // Also the time fastify gives a close hook: the stop's wait for running answers must fit.
    pluginTimeout: STOP_GRACE_MS + 10_000,
    forceCloseConnections: 'idle',
    clientErrorHandler: (error, socket) => answerClientError(error, socket, knownPaths),
    frameworkErrors: answerFrameworkError,
    // Request parts are read by the shared validator (installSchemaValidation in each plugin) and
    // routes serialise their own answers: fastify's default compilers (another Ajv,
    // fast-json-stringify) are never used, and with these they are not even loaded.
    schemaController: {
      compilersFactory: { buildValidator: unusedCompiler, buildSerializer: unusedCompiler },
    },
  });
  // Schemas are compiled when a request first needs them, not at start: compiling all of them
  // (both Ajv instances) held about 28 MB for the server's whole life, mostly for schemas a
  // server never uses. npm test compiles every schema, so a broken one cannot ship.
  // Every method Node parses is known, so a known path answers 405 (not 404) to all of them;
  // CONNECT never reaches a route.
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) {
      app.addHttpMethod(method, { hasBody: true });
    }
  }
  app.removeContentTypeParser('text/plain');
  // First: its 405 comes before installConnectionOrder's 100 Continue.
  installOtherMethods(app, knownPaths);
  installConnectionOrder(app, timeouts.lingerMs);
  installErrorHandling(app, knownPaths, (error) => log(`internal error: ${error.message}`));
  installIncomingChecks(app, knownPaths);
  services.requests.install(app);
  const routes: MockServer['routes'] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.config?.page || route.config?.shadowed) return;
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  // The request log line, only where log lines go somewhere (not with --quiet).
  if (options.log) {
    app.addHook('onResponse', async (request, reply) => {
      const ms = reply.elapsedTime.toFixed(1);
      const workspace = request.workspace?.id ?? '-';
      log(
        `${request.method} ${redactUrl(request.originalUrl)} ${reply.statusCode} ${ms}ms ${workspace}`,
      );
    });
  }

  await app.register(apiPlugin({ services, verifyResponses: options.verify ?? false }), {
    prefix: API_PREFIX,
  });
  await app.register(adminPlugin(services, options.verify ?? false), { prefix: '/__admin' });
  await app.register(pagesPlugin());
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

function unusedCompiler(): never {
  throw new Error('a route has a schema outside the plugins, which set their own compiler');
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
