import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** lk-jwt-service's liveness path (GET/HEAD, empty 200); `/health` and `/ready` are the gateway's own. */
@Controller()
export class HealthzController {
  @Get('healthz')
  healthz(@Res() reply: FastifyReply): void {
    void reply.status(200).send();
  }
}
