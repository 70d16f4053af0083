import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm start` (tools/start) and the benchmarks bundle this package as CommonJS and run it outside
// vitest, where importing vitest throws at load; only the package's own specs may import it.
describe('@gateway/testing outside vitest', () => {
  it('imports vitest from no source file but specs', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.tsx?$/.test(entry.name) && !/\.spec\.tsx?$/.test(entry.name)) {
          if (/from ['"]vitest['"]|require\(['"]vitest['"]\)/.test(readFileSync(path, 'utf8')))
            offenders.push(relative(__dirname, path));
        }
      }
    };
    walk(__dirname);
    expect(offenders).toEqual([]);
  });
});
