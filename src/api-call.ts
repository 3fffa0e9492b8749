/**
 * Every request the app sends to Chatting's API. An answer, whatever its status, is the
 * middleware's to judge (handleErrors); this is for a request that got none: the connection was
 * refused, dropped or timed out. zapier-platform-core lets node-fetch's own error through
 * ("request to https://… failed, reason: socket hang up"), which tells a Zap user nothing they
 * can act on, and for a write not whether it happened.
 */
import type { HttpRequestOptions, HttpResponse, ZObject } from 'zapier-platform-core';
import { tryAgain, type RequestContext } from './middleware';

/** Failures before a request left this machine or reached Chatting: nothing was sent there. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** A node-fetch failure of the transport (not an answer, not one of our own errors). */
interface TransportFailure {
  name: 'FetchError';
  code?: string;
  message: string;
}

function isTransportFailure(error: unknown): error is TransportFailure {
  return error instanceof Error && error.name === 'FetchError';
}

/** The reason node-fetch gives after "failed, reason: ", or the error's code. */
function reasonOf(failure: TransportFailure): string {
  return /failed, reason: (.+)$/s.exec(failure.message)?.[1].trim() || failure.code || 'no answer';
}

/**
 * `z.request(options)`, with a failure to get any answer told as the Zap user can act on it. A
 * request that is not part of a Zap run (RequestContext.zapRun: only a create is) changes
 * nothing more when sent again: a read, a subscribe (Chatting keeps one per target URL), an
 * unsubscribe. A create may have been saved, unless the user set a Deduplication Key.
 */
export async function callChatting<T>(
  z: ZObject,
  options: HttpRequestOptions & { url: string },
): Promise<HttpResponse<T>> {
  try {
    return await z.request<T>(options);
  } catch (error) {
    if (!isTransportFailure(error)) throw error;
    const context = (options.middlewareData ?? {}) as RequestContext;
    const reason = reasonOf(error);
    if (NOT_SENT.has(error.code ?? '')) {
      throw new z.errors.Error(
        `Chatting's API could not be reached (${reason}), so nothing was sent. ${tryAgain(context)}`,
        'NetworkError',
      );
    }
    const broke = `The connection to Chatting broke before it answered (${reason})`;
    throw new z.errors.Error(
      context.zapRun
        ? `${broke}, so this step may or may not have been saved. Check in Chatting before you replay this run, unless the step has a Deduplication Key: then a replay cannot save it twice.`
        : `${broke}. ${tryAgain(context)}`,
      'NetworkError',
    );
  }
}
