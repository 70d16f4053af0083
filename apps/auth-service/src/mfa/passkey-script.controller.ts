import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PASSKEY_SCRIPT } from '../pages/passkey-script';

/** `/assets/passkey.js`: the pages' passkey script, from the service itself (no third-party asset). */
@Controller('assets')
export class PasskeyScriptController {
  @Get('passkey.js')
  script(@Res() reply: FastifyReply): void {
    void reply
      .header('Content-Type', 'text/javascript; charset=utf-8')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', 'no-cache')
      .send(PASSKEY_SCRIPT);
  }
}
