import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_VERSION } from './version';

describe('GATEWAY_VERSION', () => {
  it('is the version in the repository’s package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(GATEWAY_VERSION).toBe(pkg.version);
  });
});
