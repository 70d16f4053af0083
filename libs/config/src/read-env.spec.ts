import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './config-error';
import { bindAddress, boolean, cidrList, commaList, httpUrl, integer, logLevel } from './fields';
import { readEnv } from './read-env';

const schema = z.object({
  SVC_URL: httpUrl(),
  SVC_SECRET: z.string().min(1),
  SVC_BIND: bindAddress(':8080'),
  SVC_DEBUG: boolean(false),
  SVC_MAX: integer(10, 1, 100),
  SVC_LIST: commaList(),
  SVC_LOG_LEVEL: logLevel(),
});

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('readEnv', () => {
  it('parses and types every variable, with defaults', () => {
    const cfg = readEnv(schema, {
      SVC_URL: 'http://hs:8008',
      SVC_SECRET: 's',
      SVC_LIST: ' a, ,b ',
      SVC_LOG_LEVEL: 'WARNING',
    });
    expect(cfg).toEqual({
      SVC_URL: 'http://hs:8008',
      SVC_SECRET: 's',
      SVC_BIND: { host: '0.0.0.0', port: 8080 },
      SVC_DEBUG: false,
      SVC_MAX: 10,
      SVC_LIST: ['a', 'b'],
      SVC_LOG_LEVEL: 'warn',
    });
  });

  it('names each bad variable in one error', () => {
    const problems = problemsOf(() =>
      readEnv(schema, { SVC_URL: 'ftp://x', SVC_BIND: 'nonsense', SVC_MAX: '0' }),
    );
    expect(problems.join('\n')).toMatch(/SVC_URL: must be an http\(s\) URL/);
    expect(problems.join('\n')).toMatch(/SVC_SECRET: is required/);
    expect(problems.join('\n')).toMatch(/SVC_BIND: "nonsense" is not an address/);
    expect(problems.join('\n')).toMatch(/SVC_MAX: "0" is not a whole number from 1 to 100/);
  });

  it('reads secrets from NAME_FILE and from listed aliases, dropping one trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'secret'), 'from-file\n');
    expect(readEnv(schema, { SVC_URL: 'http://x', SVC_SECRET_FILE: join(dir, 'secret') }).SVC_SECRET).toBe(
      'from-file',
    );
    expect(
      readEnv(
        schema,
        { SVC_URL: 'http://x', SVC_SECRET_FROM: join(dir, 'secret') },
        { fileAliases: { SVC_SECRET: ['SVC_SECRET_FROM'] } },
      ).SVC_SECRET,
    ).toBe('from-file');
  });

  it('refuses a value given twice and an unreadable file', () => {
    expect(
      problemsOf(() =>
        readEnv(schema, { SVC_URL: 'http://x', SVC_SECRET: 'a', SVC_SECRET_FILE: '/etc/hostname' }),
      ),
    ).toEqual(['SVC_SECRET: set both directly and through SVC_SECRET_FILE; set only one']);
    expect(
      problemsOf(() => readEnv(schema, { SVC_URL: 'http://x', SVC_SECRET_FILE: '/nonexistent/secret' }))[0],
    ).toMatch(/^SVC_SECRET_FILE: cannot read \/nonexistent\/secret \(ENOENT\)/);
  });
});

describe('bind addresses', () => {
  it.each([
    [':8080', { host: '0.0.0.0', port: 8080 }],
    ['127.0.0.1:9', { host: '127.0.0.1', port: 9 }],
    ['[::1]:8008', { host: '::1', port: 8008 }],
    ['8008', { host: '0.0.0.0', port: 8008 }],
  ])('%s', (input, expected) => {
    expect(readEnv(z.object({ B: bindAddress(':1') }), { B: input }).B).toEqual(expected);
  });
  it.each(['host', 'a:b', ':99999', 'a:1:2'])('refuses %s', (input) => {
    expect(problemsOf(() => readEnv(z.object({ B: bindAddress(':1') }), { B: input }))[0]).toMatch(/^B: /);
  });
});

describe('CIDR lists', () => {
  it('reads addresses and blocks of both families', () => {
    expect(readEnv(z.object({ P: cidrList() }), { P: '10.0.0.0/8, 192.0.2.7 ,fd00::/8,::1' }).P).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
      'fd00::/8',
      '::1',
    ]);
    expect(readEnv(z.object({ P: cidrList() }), {}).P).toEqual([]);
  });
  it.each(['10.0.0.0/33', 'fd00::/129', 'example.com', '10.0.0/8', '1.2.3.4/8/9', '10.0.0.0/x'])(
    'refuses %s, naming the variable',
    (input) => {
      expect(problemsOf(() => readEnv(z.object({ P: cidrList() }), { P: input }))[0]).toMatch(
        /^P: .*not an IP address or CIDR block/,
      );
    },
  );
});
