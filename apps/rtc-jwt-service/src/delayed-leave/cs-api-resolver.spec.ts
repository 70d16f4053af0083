import { SsrfGuard, type ResolveAddresses } from '@gateway/http';
import { describe, expect, it } from 'vitest';
import { CsApiResolver } from './cs-api-resolver';

// Names resolve through this table, never through DNS: the guard is what is under test.
const DNS: Record<string, string> = {
  'good.example': '93.184.215.10',
  'cs.good.example': '93.184.215.11',
  'inside.example': '10.1.2.3',
  'rebound.example': '93.184.215.12',
  'metadata.example': '169.254.169.254',
};
const resolve: ResolveAddresses = (host) => {
  const address = DNS[host];
  return Promise.resolve(address === undefined ? [] : [{ address, family: 4 }]);
};

/** A fetch that serves `.well-known/matrix/client` documents by host, recording what was asked. */
function wellKnowns(documents: Record<string, unknown>) {
  const asked: string[] = [];
  const fetchFn: typeof fetch = (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    asked.push(url.host);
    const doc = documents[url.host];
    return Promise.resolve(
      doc === undefined ? new Response('', { status: 404 }) : Response.json(doc, { status: 200 }),
    );
  };
  return { fetchFn, asked };
}

const homeserver = (base: string) => ({ 'm.homeserver': { base_url: base } });

describe(CsApiResolver.name, () => {
  const guard = new SsrfGuard({ resolve, allowedServerNames: ['inside.example'] });

  it('follows a well-known to a public base URL', async () => {
    const { fetchFn } = wellKnowns({ 'good.example': homeserver('https://cs.good.example/') });
    const resolver = new CsApiResolver(new Map(), guard, () => 0, fetchFn);
    expect(await resolver.resolve('good.example')).toBe('https://cs.good.example');
  });

  it.each([
    ['a loopback literal', 'http://127.0.0.1:8008'],
    ['the cloud metadata address', 'http://169.254.169.254/'],
    ['a name resolving to it', 'https://metadata.example/'],
    ['a private IPv6 literal', 'http://[fd00::1]/'],
  ])('refuses a well-known base_url pointing at %s', async (_what, base) => {
    const { fetchFn } = wellKnowns({ 'rebound.example': homeserver(base) });
    const resolver = new CsApiResolver(new Map(), guard, () => 0, fetchFn);
    expect(await resolver.resolve('rebound.example')).toBeNull();
  });

  it('never fetches a well-known from a server name that resolves to an internal address', async () => {
    const { fetchFn, asked } = wellKnowns({ 'sneaky.example': homeserver('https://cs.good.example') });
    DNS['sneaky.example'] = '192.168.0.5';
    const resolver = new CsApiResolver(new Map(), guard, () => 0, fetchFn);
    expect(await resolver.resolve('sneaky.example')).toBeNull();
    expect(asked).toEqual([]);
  });

  it('lets the operator’s allow-listed server names and URL overrides reach internal addresses', async () => {
    const { fetchFn } = wellKnowns({ 'inside.example': homeserver('http://10.1.2.3:8008') });
    const overrides = new Map([['local.example', 'http://127.0.0.1:8008']]);
    const resolver = new CsApiResolver(overrides, guard, () => 0, fetchFn);
    expect(await resolver.resolve('inside.example')).toBe('http://10.1.2.3:8008');
    expect(await resolver.resolve('local.example')).toBe('http://127.0.0.1:8008');
  });
});
