import { Body, Controller, HttpCode, Ip, Options, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MatrixError } from '@gateway/matrix';
import { TokenIssuer, type TokenResponse } from '../token/token-issuer';
import { RequestMetrics } from './request-metrics';

/** The three CORS-enabled POST endpoints of lk-jwt-service; CORS headers come from fastify-setup.ts. */
@Controller()
export class TokenController {
  constructor(
    private readonly issuer: TokenIssuer,
    private readonly metrics: RequestMetrics,
  ) {}

  @Post('get_token')
  @HttpCode(200)
  getToken(@Body() body: unknown, @Ip() ip: string): Promise<TokenResponse> {
    return this.counted('get_token', () => this.issuer.getToken(text(body), ip));
  }

  @Post('sfu/get')
  @HttpCode(200)
  sfuGet(@Body() body: unknown, @Ip() ip: string): Promise<TokenResponse> {
    return this.counted('sfu_get', () => this.issuer.sfuGet(text(body), ip));
  }

  @Post('delegate_delayed_leave')
  @HttpCode(200)
  delegate(@Body() body: unknown, @Ip() ip: string): Promise<Record<string, never>> {
    return this.counted('delegate_delayed_leave', () => this.issuer.delegateDelayedLeave(text(body), ip));
  }

  @Options(['get_token', 'sfu/get', 'delegate_delayed_leave'])
  preflight(@Res() reply: FastifyReply): void {
    void reply.status(200).send();
  }

  private async counted<T>(endpoint: string, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.metrics.requests.inc({ endpoint, outcome: 'ok' });
      return result;
    } catch (err) {
      this.metrics.requests.inc({
        endpoint,
        outcome: err instanceof MatrixError ? err.errcode : 'M_UNKNOWN',
      });
      throw err;
    }
  }
}

/** Bodies arrive as text (fastify-setup.ts); a request without one is an empty body. */
function text(body: unknown): string {
  return typeof body === 'string' ? body : '';
}
