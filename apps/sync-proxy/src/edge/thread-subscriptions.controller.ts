import { Controller, Delete, Get, Inject, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { upstreamText, type UpstreamResponse } from '@gateway/http';
import { MatrixError } from '@gateway/matrix';
import { isJsonObject } from '@gateway/util';
import {
  gapToken,
  readGapToken,
  THREAD_SUBSCRIPTIONS_PATH,
} from '../sliding-sync/extensions/thread-subscriptions';
import { VERSIONS_UPSTREAM } from './versions.controller';

/** A `pos` of the proxy's (parse-query.ts): Synapse's tokens for `to` start with `ts` or hold a `/`. */
const PROXY_POS = /^[1-9]\d{0,15}$/;

/**
 * MSC4308's companion endpoint query as the homeserver must see it, and the gap's start when the
 * client backpaginates from a proxy `prev_batch` (sliding-sync/extensions/thread-subscriptions.ts).
 * A client following the proposal sends `to=<the sliding sync request's pos>`, which only the proxy
 * can read: a proxy `prev_batch` carries that position itself, so such a `to` is replaced by it; a proxy
 * `pos` with any other `from` is dropped (the pages then run to the start of the stream, which the
 * client's per-thread `bump_stamp` comparison makes harmless). Everything else goes as it came.
 */
export function companionQuery(search: string): { query: URLSearchParams; after: number | undefined } {
  const query = new URLSearchParams(search);
  const from = query.get('from');
  const gap = from === null ? undefined : readGapToken(from);
  if (gap !== undefined) {
    query.set('from', gap.from);
    if (gap.after > 0) query.set('to', `ts${String(gap.after)}`);
    else query.delete('to');
    return { query, after: gap.after };
  }
  const to = query.get('to');
  if (to !== null && PROXY_POS.test(to)) query.delete('to');
  return { query, after: undefined };
}

/**
 * `GET …/io.element.msc4308/thread_subscriptions`, the homeserver's answer with the query translated
 * (companionQuery) and, when paging a proxy `prev_batch`, its `end` kept in the proxy's form so the next
 * page still knows where the gap began. The homeserver validates and authenticates; its errors pass
 * through unchanged.
 */
@Controller()
export class ThreadSubscriptionsController {
  /** The upstream homeserver's base URL (the same value `/versions` is fetched from). */
  constructor(@Inject(VERSIONS_UPSTREAM) private readonly upstream: string) {}

  @Get(THREAD_SUBSCRIPTIONS_PATH)
  async page(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const at = req.url.indexOf('?');
    const { query, after } = companionQuery(at === -1 ? '' : req.url.slice(at + 1));
    const headers: Record<string, string> = {};
    const auth = req.headers.authorization;
    if (auth !== undefined) headers['authorization'] = auth;
    const search = query.toString();
    let res: UpstreamResponse<string>;
    try {
      res = await upstreamText(
        `${this.upstream}${THREAD_SUBSCRIPTIONS_PATH}${search === '' ? '' : `?${search}`}`,
        { headers, timeoutMs: 10_000, maxBodyBytes: 4 * 1024 * 1024 },
      );
    } catch (err) {
      throw new MatrixError('M_UNKNOWN', 'The homeserver could not be reached', { status: 502, cause: err });
    }
    const contentType = res.headers.get('content-type') ?? 'application/json';
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    if (res.status !== 200 || after === undefined || !isJsonObject(body) || typeof body['end'] !== 'string') {
      await reply.code(res.status).header('content-type', contentType).send(res.body);
      return;
    }
    body['end'] = gapToken(body['end'], after);
    await reply.code(200).header('content-type', 'application/json').send(JSON.stringify(body));
  }

  // Synapse answers other methods on the path with 405 M_UNRECOGNIZED.
  @Post(THREAD_SUBSCRIPTIONS_PATH)
  post(): never {
    throw notAllowed();
  }

  @Put(THREAD_SUBSCRIPTIONS_PATH)
  put(): never {
    throw notAllowed();
  }

  @Delete(THREAD_SUBSCRIPTIONS_PATH)
  delete(): never {
    throw notAllowed();
  }
}

function notAllowed(): MatrixError {
  return new MatrixError('M_UNRECOGNIZED', 'Unrecognized request', { status: 405 });
}
