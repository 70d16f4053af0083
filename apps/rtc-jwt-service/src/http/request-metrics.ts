import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Metrics } from '@gateway/server';

/** Token endpoint outcomes, which operators of lk-jwt-service could not see. */
@Injectable()
export class RequestMetrics {
  readonly requests: Counter<'endpoint' | 'outcome'>;

  constructor(metrics: Metrics) {
    this.requests = new Counter({
      name: 'rtc_token_requests_total',
      help: 'Token endpoint requests by endpoint and outcome (ok or the errcode)',
      labelNames: ['endpoint', 'outcome'],
      registers: [metrics.registry],
    });
  }
}
