import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { upstreamText, type UpstreamResponse } from '@gateway/http';
import { MatrixError } from '@gateway/matrix';

export const VERSIONS_PATH = '/_matrix/client/versions';
const FLAG = 'org.matrix.simplified_msc3575';
/** The upstream homeserver's base URL, without a trailing slash. */
export const VERSIONS_UPSTREAM = Symbol('VERSIONS_UPSTREAM');

/**
 * `/versions` from the homeserver with the sliding-sync flag added, so clients find sliding sync at the
 * base URL. Anything that is not a 200 JSON object passes through untouched.
 */
@Controller()
export class VersionsController {
  constructor(@Inject(VERSIONS_UPSTREAM) private readonly upstream: string) {}

  @Get(VERSIONS_PATH)
  async versions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const headers: Record<string, string> = {};
    const auth = req.headers.authorization;
    if (auth !== undefined) headers['authorization'] = auth;
    let res: UpstreamResponse<string>;
    try {
      // Followed as the proxy always did: fetch drops Authorization when a redirect leaves the origin.
      res = await upstreamText(`${this.upstream}${VERSIONS_PATH}`, {
        headers,
        timeoutMs: 10_000,
        maxBodyBytes: 1024 * 1024,
        redirect: 'follow',
      });
    } catch (err) {
      throw new MatrixError('M_UNKNOWN', 'The homeserver could not be reached', { status: 502, cause: err });
    }
    const text = res.body;
    const contentType = res.headers.get('content-type') ?? 'application/json';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (res.status !== 200 || typeof body !== 'object' || body === null || Array.isArray(body)) {
      await reply.code(res.status).header('content-type', contentType).send(text);
      return;
    }
    const versions = body as Record<string, unknown>;
    const features = versions['unstable_features'];
    versions['unstable_features'] = {
      ...(typeof features === 'object' && features !== null && !Array.isArray(features) ? features : {}),
      [FLAG]: true,
    };
    await reply.code(200).header('content-type', 'application/json').send(JSON.stringify(versions));
  }
}
