import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Metrics } from '@gateway/server';

/** SFU health as the token endpoints see it. */
@Injectable()
export class TokenMetrics {
  readonly createRoomErrors: Counter<'cause'>;

  constructor(metrics: Metrics) {
    this.createRoomErrors = new Counter({
      name: 'rtc_create_room_errors_total',
      help: 'LiveKit CreateRoom failures, by cause (unreachable, key-refused, exhausted, other)',
      labelNames: ['cause'],
      registers: [metrics.registry],
    });
  }
}
