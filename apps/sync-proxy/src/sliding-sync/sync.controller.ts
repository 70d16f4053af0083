import { Controller, Delete, Get, HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MatrixError } from '@gateway/matrix';
import type { SyncResponse } from '../engine/sync-response';
import { SYNC_SERVICE } from '../tokens';
import type { SyncService } from './sync-service';

export const SYNC_PATH = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';

@Controller()
export class SyncController {
  constructor(@Inject(SYNC_SERVICE) private readonly service: SyncService) {}

  @Post(SYNC_PATH)
  @HttpCode(200)
  sync(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SyncResponse> {
    // A client that hangs up ends its long-poll at once instead of holding a waiter until the timeout.
    const gone = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) gone.abort();
    });
    return this.service.handle(req.headers, req.query as Record<string, unknown>, req.body, gone.signal);
  }

  // Synapse answers other methods on the sync path with 405 M_UNRECOGNIZED.
  @Get(SYNC_PATH)
  get(): never {
    throw notAllowed();
  }

  @Put(SYNC_PATH)
  put(): never {
    throw notAllowed();
  }

  @Delete(SYNC_PATH)
  delete(): never {
    throw notAllowed();
  }
}

function notAllowed(): MatrixError {
  return new MatrixError('M_UNRECOGNIZED', 'Unrecognized request', { status: 405 });
}
