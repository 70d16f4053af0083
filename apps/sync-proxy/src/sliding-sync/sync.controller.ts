import { Controller, Delete, Get, HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MatrixError } from '@gateway/matrix';
import type { SyncResponse } from '../engine/sync-response';
import { SYNC_SERVICE } from '../tokens';
import type { SyncService } from './sync-service';

export const SYNC_PATH = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';
/** The Go proxy's MSC3575 endpoint, for clients that still speak it. */
export const LEGACY_SYNC_PATH = '/_matrix/client/unstable/org.matrix.msc3575/sync';

@Controller()
export class SyncController {
  constructor(@Inject(SYNC_SERVICE) private readonly service: SyncService) {}

  @Post(SYNC_PATH)
  @HttpCode(200)
  sync(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse> {
    return this.service.handle(req.headers, req.query as Record<string, unknown>, req.body, hangUp(reply));
  }

  @Post(LEGACY_SYNC_PATH)
  @HttpCode(200)
  legacy(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse> {
    return this.service.handleLegacy(
      req.headers,
      req.query as Record<string, unknown>,
      req.body,
      hangUp(reply),
    );
  }

  // Synapse answers other methods on the sync path with 405 M_UNRECOGNIZED.
  @Get([SYNC_PATH, LEGACY_SYNC_PATH])
  get(): never {
    throw notAllowed();
  }

  @Put([SYNC_PATH, LEGACY_SYNC_PATH])
  put(): never {
    throw notAllowed();
  }

  @Delete([SYNC_PATH, LEGACY_SYNC_PATH])
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
