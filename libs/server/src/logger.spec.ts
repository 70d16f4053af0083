import { Writable } from 'node:stream';
import { Logger as NestLogger } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { appLog, createLogger, JsonLogger, pinoLog, silentLog } from './logger';

function capture(level: 'trace' | 'debug' | 'info' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('test', level, stream) };
}

describe('Log over pino', () => {
  it('writes level, message and the bindings of every child', () => {
    const { lines, logger } = capture();
    const log = pinoLog(logger, { component: 'poller' }).child({ device: 'D1' });
    log.info({ n: 3 }, 'polled');
    log.debug({}, 'below the level');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'polled',
      service: 'test',
      component: 'poller',
      device: 'D1',
      n: 3,
    });
  });

  it('reduces an Error to name, message and code, with credentials redacted', () => {
    const { lines, logger } = capture();
    const err = Object.assign(new Error('GET https://hs/sync?access_token=syt_secret_value_123 failed'), {
      code: 'ECONNRESET',
    });
    pinoLog(logger).warn({ err }, 'upstream Bearer abc.def failed');
    expect(lines[0]).toMatchObject({
      msg: 'upstream Bearer [redacted] failed',
      err: {
        name: 'Error',
        message: 'GET https://hs/sync?access_token=[redacted] failed',
        code: 'ECONNRESET',
      },
    });
    expect(JSON.stringify(lines[0])).not.toContain('syt_secret');
  });

  it('censors token fields logged by mistake', () => {
    const { lines, logger } = capture();
    pinoLog(logger).info({ access_token: 'x', user: { password: 'y' } }, 'oops');
    expect(lines[0]).toMatchObject({ access_token: '[redacted]', user: { password: '[redacted]' } });
  });

  it('silentLog discards and still makes children', () => {
    expect(() => {
      silentLog.child({ a: 1 }).error({}, 'nothing');
    }).not.toThrow();
  });
});

describe('appLog', () => {
  afterEach(() => {
    NestLogger.overrideLogger(['log', 'error', 'warn']);
  });

  it('writes through Nest so lines carry the context and follow the app logger', () => {
    const { lines, logger } = capture('trace');
    NestLogger.overrideLogger(new JsonLogger(logger));
    const log = appLog('delayed-leave', { room: '!r' });
    log.warn({ attempt: 2 }, 'retrying');
    log.trace({}, 'fine detail');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        context: 'delayed-leave',
        msg: 'retrying',
        room: '!r',
        attempt: 2,
      }),
      expect.objectContaining({ level: 'trace', context: 'delayed-leave', msg: 'fine detail' }),
    ]);
  });
});
