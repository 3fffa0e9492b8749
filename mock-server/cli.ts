/**
 * chatting-mock: runs the mock server. Flags, start-up banner, request log, and a clean stop on
 * SIGINT/SIGTERM (in-flight requests finish, the store is flushed, exit 0).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { isIP, type AddressInfo } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { API_PREFIX } from './api/prefix';
import { ADMIN_TOKEN_ENV, adminGuardRefusal } from './admin/guard';
import { isLoopbackHost } from './domain/addresses';
import { authenticate } from './api/auth';
import { ADMIN_BODY_LIMIT_BYTES } from './admin/route';
import { BODY_LIMIT_BYTES, byteSize } from './http/errors';
import { MAX_JSON_CONTAINERS, MAX_JSON_DEPTH } from './http/incoming';
import { createServer, DEFAULT_REQUEST_TIMEOUTS } from './server';
import { DEMO_KEYS, readSeedFile } from './store/seed';
import { Store } from './store/store';

/** Where the data lives unless --db or --memory says otherwise. */
export const DEFAULT_DB = path.join('.chatting-mock', 'mock.sqlite');
/** `--db :memory:`: SQLite's name for an in-memory database, taken as --memory. */
const IN_MEMORY = ':memory:';
/** The JSON data file of earlier versions: named at start-up, never imported. */
const OLD_DATA_FILE = path.join('.chatting-mock', 'db.json');

const HELP = `Usage: chatting-mock [options]
       chatting-mock export FILE [--db <path>]

A local, stateful mock of the Chatting Zapier API (${API_PREFIX}).

Options:
  --port <n>          port to listen on (default 3000; 0 picks a free one)
  --host <address>    address to bind (default 127.0.0.1)
  --db <path>         SQLite database file (default ${DEFAULT_DB}); one process at a time;
                      --db :memory: is the same as --memory
  --memory            keep everything in an in-memory database: nothing is read or written
  --seed <file>       seed for a new database, which keeps it for reset (layout: see
                      examples/seed.json); an existing database keeps its own
  --strict-targets    refuse loopback, private, link-local and metadata webhook targets
                      (as a production service must); default: loopback allowed
  --admin-token <t>   require this token on every /__admin call (X-Admin-Token);
                      needed to listen on a non-loopback address (env ${ADMIN_TOKEN_ENV})
  --rate-limit <n>    at most n requests a minute per API key (429 rate-limited)
  --delivery-attempts <n>      attempts per webhook delivery (default 5)
  --delivery-backoff-ms <ms>   first retry delay, doubling after (default 1000)
  --delivery-timeout-ms <ms>   timeout of one delivery attempt (default 10000)
  --delivery-concurrency <n>   delivery attempts at once, all targets together (default 8)
  --quiet             no request log
  --help              this text

export FILE           writes the whole state of the database (--db, default ${DEFAULT_DB})
                      as one JSON file json-server can serve, while no server has it open

Limits (answered with the JSON error envelope):
  request headers     within ${DEFAULT_REQUEST_TIMEOUTS.headersMs / 1000} s of connecting, at most 64 KiB and 1,000 lines (408 request-timeout / 400)
  whole request       within ${DEFAULT_REQUEST_TIMEOUTS.requestMs / 1000} s, headers and body (408 request-timeout)
  body                ${byteSize(BODY_LIMIT_BYTES)} of UTF-8 JSON (${byteSize(ADMIN_BODY_LIMIT_BYTES)} for /__admin/seed), uncompressed,
                      nested at most ${MAX_JSON_DEPTH} deep, at most ${MAX_JSON_CONTAINERS.toLocaleString('en')} objects and arrays
                      (413 payload-too-large, 415 unsupported-media-type, 400 invalid-request)
`;

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'export') return exportCommand(argv.slice(1));
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '3000' },
      host: { type: 'string', default: '127.0.0.1' },
      db: { type: 'string' },
      memory: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'strict-targets': { type: 'boolean', default: false },
      'admin-token': { type: 'string' },
      'rate-limit': { type: 'string' },
      'delivery-attempts': { type: 'string' },
      'delivery-backoff-ms': { type: 'string' },
      'delivery-timeout-ms': { type: 'string' },
      'delivery-concurrency': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a port number, not ${values.port}`);
  }
  // SQLite's own name for an in-memory database: as a file name it made a file called ":memory:".
  const memory = values.memory || values.db === IN_MEMORY;
  if (values.memory && values.db !== undefined && values.db !== IN_MEMORY) {
    throw new UsageError('--memory and --db exclude each other');
  }
  // An empty token is none, given either way: `--admin-token "$UNSET"` neither hides the
  // variable's token nor leaves a banner asking for a token nothing checks.
  const adminToken = values['admin-token'] || process.env[ADMIN_TOKEN_ENV] || null;
  const refusal = adminGuardRefusal(values.host, adminToken);
  if (refusal) throw new UsageError(refusal);
  const dbFile = memory ? undefined : path.resolve(values.db ?? DEFAULT_DB);

  const server = await createServer({
    dbFile,
    seed: values.seed ? readSeedFile(values.seed) : undefined,
    strictTargets: values['strict-targets'],
    adminToken,
    rateLimitPerMinute: positive(values, 'rate-limit') ?? null,
    delivery: {
      attempts: positive(values, 'delivery-attempts'),
      backoffMs: positive(values, 'delivery-backoff-ms'),
      timeoutMs: positive(values, 'delivery-timeout-ms'),
      concurrency: positive(values, 'delivery-concurrency'),
    },
    log: values.quiet ? undefined : (line) => console.log(line),
  });
  // Signals are handled before the banner says the server is up: whoever reads it may stop us.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: finishing in-flight requests and flushing the store...`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`could not stop cleanly: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    await server.app.listen({ port, host: values.host });
  } catch (error) {
    await server.close();
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    throw new Error(
      `${values.host}:${port} is in use by another process: pick another port with --port <n> (0 picks a free one)`,
      { cause: error },
    );
  }
  const bound = server.app.server.address() as AddressInfo; // a TCP port, not a pipe
  const origins = reachableOrigins(values.host, bound.address, bound.port);
  // A database keeps the seed it was created from: --seed only makes new databases.
  let note =
    values.seed && !server.services.store.created
      ? `  note      ${values.seed} was not loaded: the database exists and keeps the seed it was\n` +
        '            created from (POST /__admin/seed loads another; or remove the database)\n'
      : '';
  if (existsSync(OLD_DATA_FILE)) {
    note +=
      `  note      ${OLD_DATA_FILE} is the JSON data file of an earlier version: it is not\n` +
      `            imported. Remove it with: rm -f ${OLD_DATA_FILE} ${OLD_DATA_FILE}.*\n`;
  }
  console.log(`${banner(origins, dbFile, server, adminToken !== null)}${note}`);
}

/** IPv6 link-local (fe80::/10): a URL would need the interface's zone, which differs by machine. */
const LINK_LOCAL_IPV6 = /^fe[89ab]/i;

/**
 * Where the server is reached, as origins (`http://address:port`), the first one best. Bound to
 * every interface (0.0.0.0, or :: which takes IPv4 too), the machine's own addresses from
 * `networkInterfaces()`, loopback last: `0.0.0.0` in a URL works on this machine only. Bound
 * to one address, the host as given (a name reads better than the address it resolved to).
 */
export function reachableOrigins(
  host: string,
  boundAddress: string,
  port: number,
  interfaces: NodeJS.Dict<Pick<NetworkInterfaceInfo, 'address' | 'family'>[]> = networkInterfaces(),
): string[] {
  const origin = (address: string) =>
    `http://${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
  if (boundAddress !== '0.0.0.0' && boundAddress !== '::') return [origin(host)];
  const families = boundAddress === '::' ? ['IPv4', 'IPv6'] : ['IPv4'];
  const usable = Object.values(interfaces)
    .flatMap((addresses) => addresses ?? [])
    .filter(({ family, address }) => families.includes(family) && !LINK_LOCAL_IPV6.test(address))
    .map(({ address }) => address);
  const ranked = [
    ...usable.filter((address) => !isLoopbackHost(address)),
    ...usable.filter((address) => isLoopbackHost(address)),
  ];
  return ranked.length ? [...new Set(ranked.map(origin))] : [origin(host)];
}

function banner(
  [origin, ...others]: string[],
  dbFile: string | undefined,
  server: Awaited<ReturnType<typeof createServer>>,
  adminToken: boolean,
): string {
  const base = `${origin}${API_PREFIX}`;
  const lines = [
    '',
    `Chatting mock server listening on ${base}`,
    ...(others.length ? [`  also on   ${others.join(', ')}`] : []),
    `  data      ${dbFile ? `${path.relative(process.cwd(), dbFile) || dbFile} (SQLite)` : 'in memory only'}`,
  ];
  let demo: string | undefined;
  try {
    const { workspace } = authenticate(server.services.store, DEMO_KEYS.acme);
    demo = DEMO_KEYS.acme;
    lines.push(`  demo key  ${demo}  (${workspace.id}, ${workspace.team_name})`);
  } catch {
    lines.push('  keys      from the seed file');
  }
  if (demo) lines.push(`  try       curl -s ${base}/me -H 'X-API-Key: ${demo}'`);
  lines.push(
    `  dashboard ${origin}/`,
    `  docs      ${origin}/docs`,
    `  admin     ${origin}/__admin/health${adminToken ? '  (send the admin token as X-Admin-Token)' : ''}`,
    '',
  );
  return lines.join('\n');
}

class UsageError extends Error {}

/** chatting-mock export FILE: the whole state as a JSON document of collections. */
async function exportCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { db: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('export takes one FILE to write');
  if (values.db === IN_MEMORY) throw new UsageError('an in-memory database has nothing to export');
  const dbFile = path.resolve(values.db ?? DEFAULT_DB);
  if (!existsSync(dbFile)) throw new UsageError(`no database at ${dbFile}`);
  // No seed: export reads a database, it never creates one.
  const store = Store.open({ file: dbFile });
  try {
    writeFileSync(positionals[0], `${JSON.stringify(store.snapshot(), null, 2)}\n`);
  } finally {
    await store.close();
  }
  console.log(`wrote ${positionals[0]} from ${dbFile}`);
}

/** A flag's value as a positive integer, if given. */
function positive(
  values: Record<string, string | boolean | undefined>,
  flag: string,
): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new UsageError(`--${flag} must be a positive whole number, not ${String(raw)}`);
  }
  return value;
}

/**
 * Why this Node cannot run the mock, or null. The store is node:sqlite (Node 22.13 and later);
 * on an older Node the first thing to load it would fail with only "No such built-in module".
 */
function runtimeRefusal(): string | null {
  if (isBuiltin('node:sqlite')) return null;
  return (
    `Node 22.13 or later is needed (the data is kept with node:sqlite); this is Node ${process.version}. ` +
    "In this repo run it through npm (npm start, npx chatting-mock), which use the project's " +
    'own Node 22, or with that Node directly: node_modules/.bin/node dist/mock-server/cli.js'
  );
}

/**
 * How much V8's old generation may grow after a full collection, as the command gives it to node
 * (bin/chatting-mock.js's shebang, `npm start`): by half, not up to four times (a flood of large
 * requests: +47 to +58 MB over idle instead of +89 to +141; docs/decisions.md).
 */
export const HEAP_GROWING_FLAG = '--heap-growing-percent=50';

/**
 * Gives a node started without a growth factor (`node dist/mock-server/cli.js`, `node
 * bin/chatting-mock.js`) the command's own. V8 reads it at every full collection, so set now it
 * holds from the next one (measured +55 to +68 MB for the same flood). The young generation's
 * cap cannot be set this way: the heap is laid out before any code runs.
 */
export function boundHeapGrowth(execArgv: readonly string[]): void {
  const given = (arg: string) => /^--heap[-_]growing[-_]percent\b/.test(arg);
  const fromEnvironment = (process.env.NODE_OPTIONS ?? '').split(/\s+/).some(given);
  if (!execArgv.some(given) && !fromEnvironment) setFlagsFromString(HEAP_GROWING_FLAG);
}

/**
 * The command as every entry point runs it (bin/chatting-mock.js, `node dist/mock-server/cli.js`):
 * a Node without node:sqlite exits 1 before anything loads it, a usage mistake exits 2 with a
 * hint, anything else 1.
 */
export function run(argv: string[]): void {
  const refusal = runtimeRefusal();
  if (refusal) {
    console.error(`chatting-mock: ${refusal}`);
    process.exit(1);
  }
  boundHeapGrowth(process.execArgv);
  main(argv).catch((error: unknown) => {
    const usage =
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`chatting-mock: ${(error as Error).message}`);
    if (usage) console.error('Run chatting-mock --help for the options.');
    process.exit(usage ? 2 : 1);
  });
}

if (require.main === module) run(process.argv.slice(2));
