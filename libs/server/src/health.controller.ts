import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Readiness } from './readiness';

@Controller()
export class HealthController {
  // `/metrics` is not here: it is served only on the internal listener (`AppOptions.metricsBind`).
  constructor(private readonly readiness: Readiness) {}

  @Get('health')
  @HttpCode(200)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.readiness.report();
    await reply.status(report.ready ? 200 : 503).send({
      status: report.ready ? 'ok' : 'unavailable',
      checks: report.checks,
      ...(report.detail === undefined ? {} : { detail: report.detail }),
    });
  }
}
