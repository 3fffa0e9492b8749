/**
 * Every request on a connection gets its own answer, in the order the requests came, pipelined
 * or not. Node queues the answers of pipelined requests itself, but a request its parser refuses
 * (bad bytes, oversized headers, one not received in time) and a CONNECT reach the server at
 * once, while answers to earlier requests may still be running (a delay fault, a commit): each
 * of these is answered with the envelope only after those earlier answers have left, and then
 * ends the connection. Everything Node would answer on its own (an `Expect` it cannot meet) goes
 * through fastify instead, so it gets the envelope and the journal like any other request.
 * While the server stops, the last answer due on each connection ends it, every request
 * pipelined behind a running one gets its own 503, and so does one whose body is still arriving
 * when the stop closes the connections. An answer that ends the connection before the
 * request body has all arrived (a 413 by its Content-Length) closes it lingering, so that the
 * client, still sending, reads the answer rather than a reset.
 */
import type { FastifyInstance } from 'fastify';
import {
  ServerResponse,
  type IncomingMessage,
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
  type Server,
} from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { schemaJson } from '../../schemas/validator';
import { ApiError, plainAnswer, rawAnswer, shuttingDown } from './errors';
import { unknownMethodRefusal, type KnownPaths } from './other-methods';

/** Each connection's server (a socket does not name it publicly), set as the connection opens. */
const connectionServers = new WeakMap<Socket, Server>();

/** Servers that have begun to stop (from fastify's preClose, before Node's server.close). */
const stoppingServers = new WeakSet<Server>();

/**
 * How long a connection whose answer came before the whole request body did goes on reading
 * (and dropping) what the client still sends before it is closed, for each server (its
 * `lingerMs`): closed at once, with bytes unread, it is reset, and a client still sending loses
 * the answer (a 413 given by the Content-Length alone, half the time for a 5 MB body).
 */
const lingerBounds = new WeakMap<Server, number>();

/** True once `server` has begun to stop: requests from then on are refused (shutting-down). */
export function isStopping(server: Server): boolean {
  return stoppingServers.has(server);
}

/**
 * How many answers of one connection may be made ahead of the client taking them. Node parses
 * every request of a chunk it reads at once (a 64 KiB chunk held 1,092 pipelined `GET /docs/…`),
 * and queues each answer in memory until the ones before it have left: from a client that never
 * reads, 64 KiB of requests became 2 GB of answers. A request further behind waits, unhandled,
 * until an answer ahead of it has left; if the connection closes first it is dropped, unanswered
 * and not acted on. No client of the API pipelines at all.
 */
export const PIPELINE_DEPTH = 16;

/**
 * How many requests of one connection may wait behind those: each costs its objects (some 5 KB:
 * Node parses every request of a chunk it reads, 1,092 in 64 KiB) for as long as the connection
 * is open, so 64 connections sending 64 KiB each held 520 MB. With more waiting, the connection
 * is given up: the waiting requests and all after them are dropped (not acted on, never
 * answered), the answers already being made are sent, and the connection is closed once they
 * have left, or after OVERFLOW_GRACE_MS if the client does not take them. A client that pipelines
 * this far ahead without reading is not waiting for answers; one that is sends the dropped
 * requests again on a new connection. (Node still makes every request of a chunk as it parses
 * it: those 64 connections take RSS up by 300 to 400 MB for a moment.)
 */
export const PIPELINE_BACKLOG = 128;

/**
 * How long a given-up connection may go without taking any of what was sent to it before it is
 * closed. Answers still being made (a delay fault) do not count against it: a client that reads
 * gets every answer of a request acted on, however slow.
 */
const OVERFLOW_GRACE_MS = 2_000;
/** The longest a delay fault may hold an answer (fault-rule.json's `delay_ms`). */
const LONGEST_DELAY_MS = (
  schemaJson('admin/fault-rule') as { properties: { delay_ms: { maximum: number } } }
).properties.delay_ms.maximum;
/** The longest a given-up connection is kept for its answers: the longest delay fault, and a grace. */
const OVERFLOW_LIMIT_MS = LONGEST_DELAY_MS + OVERFLOW_GRACE_MS;

/**
 * A connection's answers: the two newest Node made, how many were made and how many have left,
 * in order. The newest may belong to the request a refusal is about (a body that stopped coming),
 * and then the one before it is the last answer due first. Answers leave in order, so waiting
 * for that one waits for all of them.
 */
interface Pipeline {
  beforeNewest?: ServerResponse;
  newest?: ServerResponse;
  made: number;
  left: number;
  /** The place of the last request let through to be answered. */
  admitted: number;
  /** Given up (too many waiting): requests from now on are dropped. */
  overflowed: boolean;
  /** Requests waiting for room, oldest first, with their place in the connection's order. */
  waiting: { place: number; go: () => void; drop: () => void }[];
}

const pipelines = new WeakMap<Socket, Pipeline>();

/** Each request's place in its connection's order (1 for the first), on the request itself. */
const PLACE = Symbol('place on its connection');
type Placed = IncomingMessage & { [PLACE]?: number };

/** The answers whose leaving is counted: those that had another made behind them while running. */
const counted = new WeakSet<ServerResponse>();

function pipelineOf(socket: Socket): Pipeline {
  let pipeline = pipelines.get(socket);
  if (!pipeline) {
    const created: Pipeline = { made: 0, left: 0, admitted: 0, overflowed: false, waiting: [] };
    pipelines.set(socket, created);
    // Once closed, nothing more leaves: every waiting request goes on, to be dropped.
    socket.once('close', () => {
      created.left = Infinity;
      for (const waiter of created.waiting.splice(0)) waiter.go();
    });
    pipeline = created;
  }
  return pipeline;
}

/** One more answer of the connection has left (or will never): room for the next waiting. */
function answerLeft(pipeline: Pipeline, socket: Socket): void {
  pipeline.left += 1;
  if (pipeline.overflowed) {
    closeOnceAdmittedLeft(pipeline, socket);
    return;
  }
  while (
    pipeline.waiting.length > 0 &&
    pipeline.waiting[0].place - pipeline.left <= PIPELINE_DEPTH
  ) {
    pipeline.waiting.shift()?.go();
  }
}

/**
 * Gives the connection up: no more reading, every waiting request dropped, and a close once the
 * answers let through have left (or after the grace, for a client that does not read).
 */
function giveUp(pipeline: Pipeline, socket: Socket): void {
  pipeline.overflowed = true;
  socket.pause();
  for (const waiter of pipeline.waiting.splice(0)) waiter.drop();
  if (closeOnceAdmittedLeft(pipeline, socket)) return;
  // Closed at once, the answers in its write buffer would be lost, those of requests already
  // acted on included; so it is closed only when the client stops taking them: bytes waiting
  // to be sent, no fewer than a grace ago.
  const started = Date.now();
  let waiting = socket.writableLength;
  let deadline: NodeJS.Timeout;
  const check = () => {
    const stalled = socket.writableLength > 0 && socket.writableLength >= waiting;
    if (stalled || Date.now() - started >= OVERFLOW_LIMIT_MS) {
      socket.destroy();
      return;
    }
    waiting = socket.writableLength;
    deadline = setTimeout(check, OVERFLOW_GRACE_MS).unref();
  };
  deadline = setTimeout(check, OVERFLOW_GRACE_MS).unref();
  socket.once('close', () => clearTimeout(deadline));
}

/** Ends a given-up connection if every answer let through has left; whether it did. */
function closeOnceAdmittedLeft(pipeline: Pipeline, socket: Socket): boolean {
  if (pipeline.left < pipeline.admitted) return false;
  socket.destroySoon();
  return true;
}

/** Node's response class, noting each response as its connection's newest. */
export class OrderedResponse<
  R extends IncomingMessage = IncomingMessage,
> extends ServerResponse<R> {
  // Every argument Node passes (its response options too) goes on to Node's own class.
  constructor(...args: [request: R]) {
    super(...args);
    const socket = args[0].socket;
    if (!socket) return;
    const pipeline = pipelineOf(socket);
    const before = pipeline.newest;
    pipeline.beforeNewest = before;
    pipeline.newest = this;
    if (!before || before.writableFinished) {
      // Every answer before this one has left (they leave in order): the common case, a client
      // that waits for each answer, costs no listener.
      pipeline.left = pipeline.made;
    } else if (!counted.has(before)) {
      // Pipelined: the answer ahead is counted as it leaves (one ahead of it, still running
      // then, was counted when this one's predecessor was made). A connection that closes
      // first counts them all (pipelineOf).
      counted.add(before);
      before.once('finish', () => answerLeft(pipeline, socket));
    }
    pipeline.made += 1;
    (args[0] as Placed)[PLACE] = pipeline.made;
  }

  /**
   * While the server stops, the last answer due on a connection says `Connection: close` and Node
   * ends the connection after it: kept alive, an idle connection held the server's close until
   * Node's keep-alive timeout (72 s), as the server only closes connections idle when it starts
   * to stop. An answer with others due behind it (pipelined) leaves the connection open for
   * theirs (503 shutting-down, which fastify sends with close). One whose head was written before
   * the stop began still says keep-alive; the stop ends its connection once it has left
   * (endAfterLastAnswer).
   */
  override writeHead(
    statusCode: number,
    statusMessage?: string,
    headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
  ): this;
  override writeHead(
    statusCode: number,
    headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
  ): this;
  override writeHead(statusCode: number, ...rest: unknown[]): this {
    const socket = this.req.socket;
    const server = connectionServers.get(socket);
    if (server && isStopping(server) && pipelines.get(socket)?.newest === this) {
      this.shouldKeepAlive = false;
      // Said as well as done: Node leaves it unsaid once a Connection header was removed (the
      // error handler removes fastify's close from a refusal of a request received whole).
      this.setHeader('connection', 'close');
    }
    // The arguments as Node's writeHead took them (either of its two forms).
    super.writeHead(statusCode, ...(rest as [string?, OutgoingHttpHeaders?]));
    // `_last` is Node's own "this answer ends the connection", set as the head is stored.
    if (server && !this.req.complete && (this as unknown as { _last: boolean })._last) {
      lingerBeforeClose(socket, lingerBounds.get(server) ?? 0);
    }
    return this;
  }
}

/**
 * Makes the close Node does after an answer that ends the connection (`socket.destroySoon()`)
 * a lingering one: the answer and a FIN go out, and the rest of the request body is read and
 * dropped (Node's parser discards it) until the client closes its side or `lingerMs` pass.
 */
function lingerBeforeClose(socket: Socket, lingerMs: number): void {
  socket.destroySoon = () => {
    socket.end();
    socket.once('end', () => socket.destroy());
    // Cleared at the close: left to run, the timer kept the socket, and through it the request
    // with all its headers, for lingerMs after it was gone (a flood of 160 KB requests over the
    // body limit, each on its own connection, held 2,000 of them: +200 MB).
    const deadline = setTimeout(() => socket.destroy(), lingerMs).unref();
    socket.once('close', () => clearTimeout(deadline));
  };
}

/**
 * At the stop, a connection whose last answer due was decided before it (its head says
 * keep-alive: a pipelined request answered while an earlier one still ran) is ended once that
 * answer has left; Node's close ends only the connections idle at that moment.
 */
function endAfterLastAnswer(socket: Socket): void {
  const newest = pipelines.get(socket)?.newest;
  if (!newest || newest.writableFinished || !newest.headersSent) return;
  newest.once('finish', () => {
    if (pipelines.get(socket)?.newest === newest) socket.destroySoon();
  });
}

/** The connection's newest answer, while it has not all been handed over. */
function runningAnswer(socket: Socket): ServerResponse | undefined {
  const newest = pipelines.get(socket)?.newest;
  return newest && !newest.writableFinished && !socket.destroyed ? newest : undefined;
}

/** Settles once `answer` has been handed over, or its connection has closed without it. */
function answered(answer: ServerResponse, socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    answer.once('finish', resolve);
    answer.once('close', resolve);
    // A pipelined answer still queued is not on the socket yet: it says nothing if the client leaves.
    socket.once('close', resolve);
  });
}

/**
 * How long the stop waits for the answers running when it began, keeping idle connections open
 * meanwhile (a request on one gets its 503): as long as a request may take to arrive. After it,
 * Node's close ends the idle connections, and with them an answer still being sent to a client
 * that does not read; answers still being made (a delay fault) are waited for all the same.
 * fastify gives a close hook `pluginTimeout` (server.ts sets it above this).
 */
export const STOP_GRACE_MS = 30_000;

/**
 * A connection that would keep the stopped server from closing for good: one waiting for a
 * request, or for the rest of one (Node's close stops the header and request timeouts that
 * would otherwise end it with a 408). One that is ending already (a 503 with close, a lingering
 * close) or whose request is being answered is left to finish.
 */
function holdsTheStop(socket: Socket): boolean {
  if (socket.destroyed || socket.writableEnded) return false;
  const answer = runningAnswer(socket);
  return !answer || !answer.req.complete;
}

/**
 * Ends a connection that holds the stop. One whose request is still arriving (its body not all
 * there) is told so, 503 shutting-down, rather than cut off with nothing said: nothing of it was
 * acted on, and the client knows to send it again elsewhere or later. One waiting for a request
 * has nothing to be told.
 */
function endWaiting(socket: Socket): void {
  const answer = runningAnswer(socket);
  if (!answer || answer.headersSent) {
    socket.destroy();
    return;
  }
  const { status, headers, body } = plainAnswer(shuttingDown());
  // writeHead says close (the server is stopping) and, the body being unread, lingers.
  answer.writeHead(status, headers);
  answer.end(body);
}

/** Runs `answer` once every answer due before it on the connection has been handed over. */
function afterEarlierAnswers(socket: Socket, answer: () => void): void {
  const { beforeNewest: before, newest } = pipelines.get(socket) ?? {};
  const due = newest && !newest.req.complete ? before : newest;
  if (!due || due.writableFinished) return answer();
  // After Node's own 'finish' handler, which ends the connection if that answer said close.
  due.once('finish', answer);
}

/** Connections being ended with a refusal: Node reports each chunk after the error again. */
const refusing = new WeakSet<Socket>();

/**
 * Ends the connection with `error`'s envelope, after the answers due before it. A refusal of a
 * body that broke off (a bad chunk) is that request's answer, unless it has one already (a GET
 * answered before its body was read, a 401 decided from the headers): then that answer stays
 * the only one, and the connection ends after it.
 */
function refuseConnection(socket: Socket, error: ApiError) {
  if (refusing.has(socket)) return;
  refusing.add(socket);
  const newest = pipelines.get(socket)?.newest;
  if (newest && !newest.req.complete && newest.headersSent) {
    if (newest.writableFinished) socket.destroySoon();
    else newest.once('finish', () => socket.destroySoon());
    return;
  }
  afterEarlierAnswers(socket, () => {
    if (socket.destroyed || !socket.writable) socket.destroy();
    else socket.end(rawAnswer(error, { connection: 'close' }));
  });
}

/** An error of Node's HTTP parser, with the bytes it stopped in and where. */
type ParserError = NodeJS.ErrnoException & { rawPacket?: unknown; bytesParsed?: number };

/**
 * For fastify's `clientErrorHandler`: what Node's HTTP parser refuses before fastify sees a
 * request (bad bytes, oversized headers, a request not received in time).
 */
export function answerClientError(error: ParserError, socket: Socket, paths: KnownPaths): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) {
    socket.destroy();
    return;
  }
  if (error.code === 'HPE_CLOSED_CONNECTION') {
    // Bytes after a request that ended the connection (`Connection: close`, HTTP/1.0 without
    // keep-alive): RFC 9112 §9.6, they are not acted on and get no answer, so the client sends
    // them again on a new connection (a "malformed" 400 told it a valid request was its fault).
    if (!refusing.has(socket)) {
      refusing.add(socket);
      afterEarlierAnswers(socket, () => socket.destroySoon());
    }
    return;
  }
  refuseConnection(socket, clientErrorRefusal(error, paths));
}

/** What a request Node's parser refused is told. */
function clientErrorRefusal(error: ParserError, paths: KnownPaths): ApiError {
  switch (error.code) {
    case 'HPE_INVALID_METHOD': {
      const refusal = unknownMethodRefusal(error.rawPacket, error.bytesParsed, paths);
      if (refusal) return refusal;
      break;
    }
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError('request-timeout', 'the request was not received in time');
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError('invalid-request', 'the request headers are too large');
  }
  return new ApiError('invalid-request', 'malformed HTTP request');
}

/**
 * Installs the ordering on the server: CONNECT (which Node hands over without a response, and
 * without one would drop) is refused with 405; an `Expect` other than 100-continue goes to
 * fastify (Node would answer 417 with no body), which refuses it with the envelope; 100 Continue
 * is sent only for a body the route will read within its limit.
 */
export function installConnectionOrder(app: FastifyInstance, lingerMs: number): void {
  const server: Server = app.server;
  lingerBounds.set(server, lingerMs);
  // The server's open connections, for the stop to end those its close would leave open.
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connectionServers.set(socket, server);
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  // First of all hooks: a request too far behind on its connection waits here, unhandled.
  app.addHook('onRequest', (request, reply, done) => {
    const socket = request.raw.socket;
    const place = (request.raw as Placed)[PLACE];
    const pipeline = pipelines.get(socket);
    if (!pipeline || place === undefined) return done();
    const admit = () => {
      pipeline.admitted = Math.max(pipeline.admitted, place);
      done();
    };
    if (pipeline.overflowed || socket.destroyed) {
      reply.hijack();
      return;
    }
    if (place - pipeline.left <= PIPELINE_DEPTH) return admit();
    if (place - pipeline.left > PIPELINE_DEPTH + PIPELINE_BACKLOG) {
      giveUp(pipeline, socket);
      reply.hijack();
      return;
    }
    pipeline.waiting.push({
      place,
      go: () => {
        // The client left before its turn: nothing of the request is done, nothing is said.
        if (socket.destroyed) reply.hijack();
        else admit();
      },
      drop: () => {
        reply.hijack();
      },
    });
  });
  app.addHook('preClose', (done) => {
    stoppingServers.add(server);
    const running: Promise<void>[] = [];
    for (const socket of open) {
      endAfterLastAnswer(socket);
      const answer = runningAnswer(socket);
      if (answer?.req.complete) running.push(answered(answer, socket));
    }
    // fastify closes the idle connections after this hook. Kept open while the answers running
    // at the stop finish, a request that arrives on one meanwhile gets its 503 shutting-down;
    // closed at once, the client saw its connection end with nothing said. The wait is bounded
    // (STOP_GRACE_MS; its timer keeps nothing alive), and the stop still waits for longer answers.
    const grace = delay(STOP_GRACE_MS, undefined, { ref: false });
    void Promise.race([Promise.all(running), grace]).then(() => {
      for (const socket of open) if (holdsTheStop(socket)) endWaiting(socket);
      done();
    });
  });
  server.on('connect', (_request: IncomingMessage, socket: Socket) => {
    // Node has taken its own listeners off the socket: a reset must not become an uncaught error.
    socket.on('error', () => socket.destroy());
    refuseConnection(
      socket,
      new ApiError('method-not-allowed', 'CONNECT is not served: the mock is not a proxy', {
        allow: '',
      }),
    );
  });
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    unmetExpectations.add(request);
    app.routing(request, response);
  });
  // Node would send 100 Continue as the headers arrive, inviting a body the route then refuses
  // unread (413 by its Content-Length), and the client, busy sending it, often lost that answer
  // as the connection closed. 100 is sent as the body is about to be read, after every check
  // that may refuse the request (auth, admin guard), and only when the declared length is within
  // the limit fastify's own 413 checks it against (that 413 then answers at once, and Node ends
  // the connection, as after any final answer that came without 100).
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    // Node takes any Expect that mentions 100-continue (`100-continue, foo`, or two headers it
    // joined so) for one it can meet; one with anything else is refused as unmet.
    if (ONLY_CONTINUE.test(request.headers.expect ?? '')) awaitingContinue.add(request);
    else unmetExpectations.add(request);
    app.routing(request, response);
  });
  app.addHook('preParsing', (request, reply, payload, done) => {
    if (
      awaitingContinue.has(request.raw) &&
      !(Number(request.headers['content-length']) > request.routeOptions.bodyLimit)
    ) {
      reply.raw.writeContinue();
    }
    done(null, payload);
  });
}

/** Requests whose `Expect` Node could not meet (anything but 100-continue), for fastify to refuse. */
const unmetExpectations = new WeakSet<IncomingMessage>();

/** An Expect that asks for 100-continue and nothing else (the token is case-insensitive). */
const ONLY_CONTINUE = /^\s*100-continue\s*$/i;

/** Requests sent with `Expect: 100-continue`, whose body waits for the server's 100. */
const awaitingContinue = new WeakSet<IncomingMessage>();

export function hasUnmetExpectation(request: IncomingMessage): boolean {
  return unmetExpectations.has(request);
}
