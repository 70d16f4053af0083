import { describe, expect, it } from 'vitest';
import { Readiness } from './readiness';

describe(Readiness.name, () => {
  it('is ready only when every check passes, and keeps the bare body when no check describes itself', async () => {
    const readiness = new Readiness();
    readiness.register('db', () => Promise.resolve());
    expect(await readiness.report()).toEqual({ ready: true, checks: { db: 'ok' } });
    readiness.register('cache', () => Promise.reject(new Error('connection refused')));
    expect(await readiness.report()).toEqual({
      ready: false,
      checks: { db: 'ok', cache: 'connection refused' },
    });
  });

  it('reports what each passing check verified as detail, and why a failing one failed in checks', async () => {
    const readiness = new Readiness();
    readiness.register('upstream', () => Promise.resolve('upstream at http://u answers'));
    readiness.register('key', () => Promise.reject(new Error('upstream refused key k: fix UPSTREAM_KEY')));
    readiness.register('db', () => Promise.resolve());
    expect(await readiness.report()).toEqual({
      ready: false,
      checks: { upstream: 'ok', key: 'upstream refused key k: fix UPSTREAM_KEY', db: 'ok' },
      detail: { upstream: 'upstream at http://u answers' },
    });
  });
});
