import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ADMIN_SPEC } from '../tokens';
import { DOC_PAGE_CSP } from './doc-page';
import type { AdminSpec } from './admin-spec';

/**
 * The admin API's OpenAPI document and its browsable page, public as MAS's are (they describe the API,
 * they grant nothing).
 */
@Controller('api')
export class SpecController {
  constructor(@Inject(ADMIN_SPEC) private readonly spec: AdminSpec) {}

  @Get('spec.json')
  document(@Res() reply: FastifyReply): void {
    void reply
      .header('Content-Type', 'application/json; charset=utf-8')
      .header('Access-Control-Allow-Origin', '*')
      .send(this.spec.json());
  }

  @Get('doc/')
  page(@Res() reply: FastifyReply): void {
    void reply
      .header('Content-Type', 'text/html; charset=utf-8')
      .header('Content-Security-Policy', DOC_PAGE_CSP)
      .header('X-Frame-Options', 'DENY')
      .header('X-Content-Type-Options', 'nosniff')
      .send(this.spec.html());
  }
}
