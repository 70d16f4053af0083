import type { LookupAddress, LookupOptions } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { SsrfGuard, SsrfRefusedError, type ConnectPolicy, type ResolvedAddress } from './ssrf-guard';

function fakeResolve(table: Record<string, ResolvedAddress[]>) {
  return (hostname: string) => {
    const found = table[hostname];
    return found === undefined
      ? Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }))
      : Promise.resolve(found);
  };
}

const DNS = fakeResolve({
  'public.example': [
    { address: '93.184.216.34', family: 4 },
    { address: '2606:2800:220:1::1', family: 6 },
  ],
  'internal.example': [{ address: '10.0.0.5', family: 4 }],
  'mixed.example': [
    { address: '93.184.216.34', family: 4 },
    { address: '::1', family: 6 },
  ],
  'mapped.example': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'empty.example': [],
});

function lookup(policy: ConnectPolicy, hostname: string, options: LookupOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    policy.lookup(
      hostname,
      options,
      (error: NodeJS.ErrnoException | null, address: string | LookupAddress[]) => {
        if (error) reject(error);
        else resolve(address);
      },
    );
  });
}

describe(SsrfGuard.name, () => {
  const guard = new SsrfGuard({ resolve: DNS, allowedServerNames: ['hs.internal'] });
  const policy = guard.policyFor('attacker.example')!;

  it('passes public names through in both lookup shapes', async () => {
    await expect(lookup(policy, 'public.example', { all: true })).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    await expect(lookup(policy, 'public.example', {})).resolves.toBe('93.184.216.34');
    await expect(lookup(policy, 'public.example', { family: 6 })).resolves.toBe('2606:2800:220:1::1');
  });

  it.each(['internal.example', 'mixed.example', 'mapped.example'])('refuses %s', async (name) => {
    await expect(lookup(policy, name, { all: true })).rejects.toBeInstanceOf(SsrfRefusedError);
  });

  it('reports names without addresses as not found', async () => {
    await expect(lookup(policy, 'empty.example', {})).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(lookup(policy, 'nowhere.example', {})).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('checks IP literals, which sockets never look up', () => {
    expect(() => {
      policy.checkLiteral('127.0.0.1');
    }).toThrow(SsrfRefusedError);
    expect(() => {
      policy.checkLiteral('::ffff:10.0.0.1');
    }).toThrow(SsrfRefusedError);
    expect(() => {
      policy.checkLiteral('8.8.8.8');
    }).not.toThrow();
  });

  it('exempts allow-listed server names', () => {
    expect(guard.policyFor('hs.internal')).toBeNull();
    expect(guard.policyFor('hs.internal:8448')).not.toBeNull();
  });

  it('can be switched off', () => {
    expect(new SsrfGuard({ enabled: false }).policyFor('anything')).toBeNull();
  });

  it('works with a real socket connect: a loopback name never gets a connection', async () => {
    const { connect } = await import('node:net');
    const realPolicy = new SsrfGuard({
      resolve: fakeResolve({ 'sneaky.example': [{ address: '127.0.0.1', family: 4 }] }),
    }).policyFor('sneaky.example')!;
    const error = await new Promise<unknown>((resolve) => {
      const socket = connect({ host: 'sneaky.example', port: 9, lookup: realPolicy.lookup });
      socket.on('error', resolve);
      socket.on('connect', () => {
        socket.destroy();
        resolve(null);
      });
    });
    expect(error).toBeInstanceOf(SsrfRefusedError);
  });
});
