import { Controller, Delete, Get, HttpCode, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MatrixError } from '@gateway/matrix';
import { parseSyncBody } from '../sliding-sync/protocol/parse-sync-body';
import { withoutMembership, type SyncResponse } from '../sliding-sync/protocol/sync-response';
import { requestSignature } from '../sliding-sync/request-signature';
import { SyncService } from '../sliding-sync/sync-service';
import type { Translation } from '../sliding-sync/translation';
import { Msc3575Translation } from './msc3575-translation';
import { PresenceReporter } from './presence-reporter';
import { StableSyncTranslation } from './stable-sync-translation';

export const SYNC_PATH = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';
/** MSC4186 as merged: the stable sliding sync endpoint. */
export const STABLE_SYNC_PATH = '/_matrix/client/v4/sync';
/** The Go proxy's MSC3575 endpoint, for clients that still speak it. */
export const LEGACY_SYNC_PATH = '/_matrix/client/unstable/org.matrix.msc3575/sync';

/** The Go proxy's default long-poll for MSC3575 clients that send no timeout. */
const LEGACY_DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The sync endpoints. Each translates its protocol onto the one engine: MSC4186 is the engine's own
 * (the request as parsed); MSC3575 goes through `Msc3575Translation` (sticky parameters, list ops).
 */
@Controller()
export class SyncController {
  constructor(
    private readonly service: SyncService,
    private readonly presence: PresenceReporter,
  ) {}

  @Post(SYNC_PATH)
  @HttpCode(200)
  sync(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse> {
    const body: unknown = req.body;
    return this.run(req, reply, 0, () => {
      const request = parseSyncBody(body);
      return {
        connId: request.connId,
        protocol: 'msc4186-unstable',
        resolve: () => request,
        // `pos` and `timeout` are in the query string; `txn_id` is only echoed.
        signature: () => requestSignature(body as Record<string, unknown>, ['txn_id']),
        finish: (response, stored) => ({ response: withoutMembership(response), store: stored }),
      };
    });
  }

  /** The stable API (MSC4186 as merged): pos, timeout and set_presence travel in the body. */
  @Post(STABLE_SYNC_PATH)
  @HttpCode(200)
  stable(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse> {
    const body: unknown = req.body;
    return this.service.sync(
      req.headers,
      req.query as Record<string, unknown>,
      hangUp(reply),
      (identity) => {
        const translation = new StableSyncTranslation(body);
        this.presence.report(identity, translation.setPresence);
        return translation;
      },
      0,
      true,
    );
  }

  @Post(LEGACY_SYNC_PATH)
  @HttpCode(200)
  legacy(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse> {
    const body: unknown = req.body;
    return this.run(req, reply, LEGACY_DEFAULT_TIMEOUT_MS, () => new Msc3575Translation(body));
  }

  private run(
    req: FastifyRequest,
    reply: FastifyReply,
    defaultTimeoutMs: number,
    translate: () => Translation,
  ): Promise<SyncResponse> {
    return this.service.sync(
      req.headers,
      req.query as Record<string, unknown>,
      hangUp(reply),
      translate,
      defaultTimeoutMs,
    );
  }

  // Synapse answers other methods on the sync path with 405 M_UNRECOGNIZED.
  @Get([SYNC_PATH, STABLE_SYNC_PATH, LEGACY_SYNC_PATH])
  get(): never {
    throw notAllowed();
  }

  @Put([SYNC_PATH, STABLE_SYNC_PATH, LEGACY_SYNC_PATH])
  put(): never {
    throw notAllowed();
  }

  @Delete([SYNC_PATH, STABLE_SYNC_PATH, LEGACY_SYNC_PATH])
  delete(): never {
    throw notAllowed();
  }
}

/** Aborts when the client hangs up, so its long-poll ends at once instead of at its timeout. */
function hangUp(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return gone.signal;
}

function notAllowed(): MatrixError {
  return new MatrixError('M_UNRECOGNIZED', 'Unrecognized request', { status: 405 });
}
