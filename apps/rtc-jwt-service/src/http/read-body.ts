import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { errorCodes } from 'fastify';

/** Why a body was not read; `closeConnection` when unread bytes may still follow on the connection. */
export class BodyReadError extends Error {
  constructor(
    readonly reason: Error,
    readonly closeConnection: boolean,
  ) {
    super(reason.message, { cause: reason });
    this.name = 'BodyReadError';
  }
}

/** The request as read here: its headers and the stream of its body. */
export type BodySource = Readable & { headers: IncomingHttpHeaders };

// Fastify's media-type grammar (RFC 9110 §8.3.1 tokens), as its content-type parser checks it.
const TYPE_NAME = /^[\w!#$%&'*+.^`|~-]+$/;
const SUBTYPE_NAME = /^[\w!#$%&'*+.^`|~-]+\s*$/;

/**
 * Whether Fastify would take this Content-Type header as a media type: `type/subtype`, optionally
 * followed by `;` and parameters, whose own shape is not checked. Fastify refuses anything else with
 * its 415 before reading the body.
 */
export function isValidContentType(header: string): boolean {
  if (header === '' || header === 'undefined') return false;
  const semicolon = header.indexOf(';');
  // Two branches as Fastify's ContentType has them, so that even its order of lower-casing and slicing
  // is the same.
  if (semicolon === -1) {
    const slash = header.indexOf('/');
    if (slash === -1) return false;
    return (
      TYPE_NAME.test(header.slice(0, slash).trimStart().toLowerCase()) &&
      SUBTYPE_NAME.test(
        header
          .slice(slash + 1)
          .trimEnd()
          .toLowerCase(),
      )
    );
  }
  const mediaType = header.slice(0, semicolon).toLowerCase();
  const slash = mediaType.indexOf('/');
  if (slash === -1) return false;
  return (
    TYPE_NAME.test(mediaType.slice(0, slash).trimStart()) &&
    SUBTYPE_NAME.test(mediaType.slice(slash + 1).trimEnd())
  );
}

/**
 * A request body as text, read from the socket exactly as Fastify's catch-all text parser (which the
 * service registers, fastify-setup.ts) reads it, so answers do not depend on which of the two read it:
 * any well-formed Content-Type or none is read (a request with neither a body nor a Content-Type is an
 * empty text); a malformed one is Fastify's 415; a declared or received length over `limit` is its 413;
 * a body whose length, counted as Fastify counts it (the UTF-8 length of the decoded text), differs from
 * Content-Length is its 400, and so is a stream error. The errors are Fastify's own, so the app's
 * exception filter answers them as it answers the parser's.
 */
export function readTextBody(raw: BodySource, limit: number): Promise<string> {
  const headers = raw.headers;
  const contentType = headers['content-type'];
  if (contentType === undefined) {
    const length = headers['content-length'];
    if (headers['transfer-encoding'] === undefined && (length === undefined || length === '0'))
      return Promise.resolve('');
  } else if (!isValidContentType(contentType)) {
    return Promise.reject(new BodyReadError(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), false));
  }
  const declared = Number(headers['content-length']);
  if (declared > limit)
    return Promise.reject(new BodyReadError(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), true));
  return new Promise((resolve, reject) => {
    let received = 0;
    let body = '';
    const onData = (chunk: string): void => {
      received += Buffer.byteLength(chunk);
      if (received > limit) {
        stop();
        reject(new BodyReadError(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), true));
        return;
      }
      body += chunk;
    };
    const onEnd = (err?: Error & { statusCode?: number }): void => {
      stop();
      if (err != null) {
        if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
        reject(new BodyReadError(err, true));
      } else if (!Number.isNaN(declared) && received !== declared) {
        reject(new BodyReadError(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH(), true));
      } else {
        resolve(body);
      }
    };
    const stop = (): void => {
      raw.removeListener('data', onData);
      raw.removeListener('end', onEnd);
      raw.removeListener('error', onEnd);
    };
    raw.setEncoding('utf8');
    raw.on('data', onData);
    raw.on('end', onEnd);
    raw.on('error', onEnd);
    raw.resume();
  });
}
