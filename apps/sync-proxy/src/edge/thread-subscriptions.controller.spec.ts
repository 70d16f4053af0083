import { describe, expect, it } from 'vitest';
import { companionQuery } from './thread-subscriptions.controller';

const run = (search: string) => {
  const { query, after } = companionQuery(search);
  return { query: query.toString(), after };
};

describe('companionQuery', () => {
  it('pages a proxy prev_batch from its gap start, whatever `to` the client sent', () => {
    expect(run('dir=b&from=ts41.17&to=5&limit=10')).toEqual({
      query: 'dir=b&from=ts41&to=ts17&limit=10',
      after: 17,
    });
    expect(run('dir=b&from=ts41.17')).toEqual({ query: 'dir=b&from=ts41&to=ts17', after: 17 });
    // A gap from the start of the stream (a new connection): no lower bound.
    expect(run('dir=b&from=ts41.0&to=5')).toEqual({ query: 'dir=b&from=ts41', after: 0 });
  });

  it('drops a proxy pos as `to` when the start of the gap is unknown', () => {
    expect(run('dir=b&from=ts41&to=12')).toEqual({ query: 'dir=b&from=ts41', after: undefined });
    expect(run('dir=b&to=12')).toEqual({ query: 'dir=b', after: undefined });
  });

  it("passes the homeserver's own tokens and anything else through", () => {
    for (const search of [
      'dir=b&from=ts41&to=ts3',
      'dir=b&to=5%2Fs1_2',
      'dir=f&limit=x',
      '',
      'from=ts1.2.3',
    ]) {
      expect(run(search), search).toEqual({
        query: new URLSearchParams(search).toString(),
        after: undefined,
      });
    }
  });
});
