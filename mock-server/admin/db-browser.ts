/**
 * /__admin/db: json-server's router over the database, read-only. QA gets its query language
 * over the raw state (`/__admin/db/contacts?email_like=ava&_sort=created_at`) with little code
 * of ours. Each request reads the collection it names from the database (and those its
 * `_expand`/`_embed` join, all of them for `/db`), so the server holds nothing in memory between
 * requests; json-server never writes anything. One record asked for by its id alone
 * (`/contacts/contact_123`, no query) is read by its key instead: reading 50,000 contacts to show
 * one took 0.4 to 1.1 s, and every other request waited. References are `<name>_id` fields
 * (`?_expand=workspace` follows `workspace_id`).
 *
 * json-server takes its query as it comes, and some of it is hostile: a `_like` value is a
 * regular expression (`^(a+)+$` backtracks exponentially), a parameter given twice or with
 * brackets is an array or an object where it expects a string (a stack trace as HTML), `_delay`
 * holds the request for as long as it says, a join scans a collection per record shown
 * (quadratic). So the query is read here first: `_like` is matched here, as a case-insensitive
 * substring (linear), and the joins are made here through an index (db-browser-joins.ts); the
 * rest goes to json-server as plain strings, or is refused with invalid-request. Any error
 * json-server still throws is invalid-request too.
 *
 * json-server runs in its own express app, loaded at the first browse and handed the raw
 * request once fastify's hooks (the admin guard) have passed it.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import type { FastifyInstance } from 'fastify';
import type * as JsonServer from 'json-server';
import { ApiError, errorAnswer, JSON_TYPE, sendError } from '../http/errors';
import type { Services } from '../domain/services';
import { isCollectionName, type CollectionName } from '../store/collections';
import { applyJoins, joinedCollections, readJoins, type Joins } from './db-browser-joins';

export function dbBrowser(services: Services) {
  return async (app: FastifyInstance): Promise<void> => {
    app.route({
      method: 'GET',
      url: '/*',
      // GET only, as openapi.yaml lists it (HEAD is a 405, like every other method).
      exposeHeadRoute: false,
      config: { otherMethods: 'the db browser is read-only' },
      handler: async (request, reply) => {
        const url = new URL(request.url.slice(app.prefix.length) || '/', 'http://db');
        const path = url.pathname.replace(/\/$/, '');
        if (path === '/db') return services.store.snapshot();
        const segments = path.split('/').slice(1);
        const name = segments[0];
        // `/contacts` and `/workspaces/owner_123/contacts` list; `/contacts/contact_123` shows one.
        const listed = segments.length === 3 ? segments[2] : segments.length === 2 ? null : name;
        for (const collection of [name, listed]) {
          if (collection !== null && !isCollectionName(collection)) {
            return sendError(reply, new ApiError('not-found', `no collection ${collection}`));
          }
        }
        // (`/contacts//` is json-server's list: an empty id is no id.)
        const id =
          listed === null && url.search === '' && segments[1] !== ''
            ? decodedSegment(segments[1])
            : null;
        if (id !== null) {
          // json-server's answer to this form (indented as its express app sets), without
          // reading the collection.
          const record = services.store.get(name as CollectionName, id);
          if (!record) return sendError(reply, nothingAt(request.url));
          return reply.type(JSON_TYPE).send(JSON.stringify(record, null, 2));
        }
        const { query, likes, joins } = readQuery(url.searchParams);
        const shown = (listed ?? name) as CollectionName;
        const data: Record<string, unknown> = services.store.snapshot([
          ...new Set([shown, ...joinedCollections(joins)]),
        ]);
        if (listed !== null && likes.length > 0) {
          data[listed] = (data[listed] as object[]).filter((record) =>
            matchesEveryLike(record, likes),
          );
        }
        // A body means nothing to a read: json-server's body parser is kept from reading one.
        delete request.raw.headers['content-type'];
        reply.hijack();
        const render = (found: unknown) => applyJoins(found, shown, data, joins);
        browser(data, app.prefix, query, render)(request.raw as Request, reply.raw as Response);
      },
    });
  };
}

/** What a browse finds no record at answers, whichever path answered it. */
function nothingAt(url: string): ApiError {
  return new ApiError('not-found', `nothing at ${url}`);
}

/** A path segment decoded as express decodes a route parameter; null if it does not decode. */
function decodedSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null; // json-server's route answers it (invalid-request)
  }
}

/** json-server's parameters that take one value (a comma-separated list, for `_sort`). */
const SINGLE_VALUED = new Set(['q', '_sort', '_order', '_start', '_end', '_page', '_limit']);
/** Enough for any query QA writes; json-server's cost grows with each (it scans per parameter). */
const MAX_PARAMETERS = 64;
/** Fields a sort may name: lodash reads each of them on every record. */
const MAX_SORT_FIELDS = 16;

interface BrowseQuery {
  /** What json-server reads: plain strings, an array where a filter is given several values. */
  query: Record<string, string | string[]>;
  /** `<path>_like` filters, matched here: the path, and its values in lower case. */
  likes: [path: string, needles: string[]][];
  /** `_expand` and `_embed`, joined here. */
  joins: Joins;
}

/** The query as json-server may read it, or invalid-request saying what it cannot take. */
function readQuery(params: URLSearchParams): BrowseQuery {
  const refuse = (message: string) => new ApiError('invalid-request', message);
  if ([...params.keys()].length > MAX_PARAMETERS) {
    throw refuse(`the db browser reads at most ${MAX_PARAMETERS} query parameters`);
  }
  // No prototype: a parameter named __proto__ is a parameter like any other.
  const query: BrowseQuery['query'] = Object.create(null) as BrowseQuery['query'];
  const likes: BrowseQuery['likes'] = [];
  const joined = { _expand: [] as string[], _embed: [] as string[] };
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (/[[\]]/.test(key)) {
      throw refuse(
        `${key}: parameters with brackets are not read (a sort by two fields: _sort=a,b)`,
      );
    }
    if (key === '_delay') throw refuse('_delay is not served: the db browser answers at once');
    if (SINGLE_VALUED.has(key) && values.length > 1) {
      const sortHint = key === '_sort' || key === '_order' ? ` (several fields: ${key}=a,b)` : '';
      throw refuse(`${key} is given ${values.length} times: give it once${sortHint}`);
    }
    if ((key === '_sort' || key === '_order') && values[0].split(',').length > MAX_SORT_FIELDS) {
      throw refuse(`${key} names at most ${MAX_SORT_FIELDS} fields`);
    }
    if (key.endsWith('_like')) {
      likes.push([key.slice(0, -'_like'.length), values.map((value) => value.toLowerCase())]);
    } else if (key === '_embed' || key === '_expand') {
      joined[key] = [...new Set(values)];
    } else {
      query[key] = values.length === 1 ? values[0] : values;
    }
  }
  return { query, likes, joins: readJoins(joined._expand, joined._embed) };
}

/**
 * json-server's `_like`, as a substring instead of a regular expression: each filter must hold
 * (its field present and containing one of its values, case aside). `includes` is linear.
 */
function matchesEveryLike(record: object, likes: BrowseQuery['likes']): boolean {
  return likes.every(([path, needles]) => {
    const value = valueAt(record, path);
    // As json-server reads a field: an array as its items joined by commas; an object has no text.
    const text = Array.isArray(value)
      ? value.join(',')
      : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : null;
    const lower = text?.toLowerCase();
    return lower !== undefined && needles.some((needle) => lower.includes(needle));
  });
}

/** A field by its dotted path (`customFields.plan`), through own properties only. */
function valueAt(record: object, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function sendEnvelope(response: Response, error: ApiError): void {
  const { status, body } = errorAnswer(error);
  response.status(status).type(JSON_TYPE).send(body);
}

/**
 * An express app serving json-server's router over `data` at `prefix`; every answer JSON.
 * `complete` adds to what json-server found (a record, or a list's page) before it is sent.
 */
function browser(
  data: object,
  prefix: string,
  query: BrowseQuery['query'],
  complete: (found: unknown) => void,
): Express {
  const server = jsonServer().create();
  // json-server reads the query read above, not its own parse of the URL (qs: arrays, objects).
  server.set('query parser', () => query);
  const router = jsonServer().router(data, { foreignKeySuffix: '_id' });
  // json-server's router ends with its own error handler, which answers the stack trace as
  // HTML: without it, every error reaches the envelope below.
  router.stack = router.stack.filter((layer) => layer.handle.length !== 4);
  router.render = (request: Request, response: Response) => {
    if (response.statusCode >= 400) {
      sendEnvelope(response, nothingAt(request.originalUrl));
    } else {
      complete(response.locals.data);
      response.json(response.locals.data);
    }
  };
  server.use(prefix, router);
  server.use((_request: Request, response: Response) => {
    sendEnvelope(response, new ApiError('not-found'));
  });
  // What json-server throws comes from a query it cannot run over this data (an _expand of a
  // field some records lack): the query's fault, as every other refusal here.
  server.use((error: Error, _request: Request, response: Response, _next: NextFunction) => {
    sendEnvelope(
      response,
      new ApiError('invalid-request', `json-server could not run the query: ${error.message}`),
    );
  });
  return server;
}

let loaded: typeof JsonServer | undefined;

/** json-server (and the express it brings) is loaded at the first browse: 13 MB of RSS. */
function jsonServer(): typeof JsonServer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  loaded ??= require('json-server') as typeof JsonServer;
  return loaded;
}
