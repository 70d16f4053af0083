import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFolderCycles } from './folder-cycles';

const root = resolve(__dirname, '../..');
const APPS = ['auth-service', 'rtc-jwt-service', 'sync-proxy'];

/** Cycles allowed inside an app: none. A new one fails here with the imports that close it. */
const KNOWN_CYCLES: readonly string[] = [];

describe('no folder cycles inside an app', () => {
  it.each(APPS)('%s', (app) => {
    const cycles = findFolderCycles(join(root, 'apps', app, 'src'));
    const unexpected = cycles.filter((c) => !KNOWN_CYCLES.includes(`${app}: ${c.folders.join(', ')}`));
    expect(unexpected.map((c) => c.edges.join('\n'))).toEqual([]);
  });
});

describe('findFolderCycles', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'folder-cycles-'));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), text);
  };
  afterAll(() => {
    rmSync(fixture, { recursive: true, force: true });
  });

  it('finds a direct cycle, a cycle through a third folder and a nested one; ignores specs and root files', () => {
    write('a/a.ts', "import { b } from '../b/b';\nexport const a = b;\n");
    write('b/b.ts', "export { a } from '../a/a';\nexport const b = 1;\n");
    write('c/c.ts', "import type { D } from '../d/d';\nexport type C = D;\n");
    write('d/d.ts', "import { e } from '../e';\nexport type D = typeof e;\n");
    write('e/index.ts', "export const e = import('../c/c');\n");
    write('f/x/x.ts', "import { y } from '../y/y';\nexport const x = y;\n");
    write('f/y/y.ts', "import { x } from '../x/x';\nexport const y = x;\n");
    // Not cycles: a folder's own root file, a spec reaching back, the app root.
    write('g/g.ts', "import { h } from './h/h';\nexport const g = h;\n");
    write('g/h/h.ts', "import { g } from '../g';\nexport const h = g;\n");
    write('i/i.ts', "import { j } from '../j/j';\nexport const i = j;\n");
    write('j/j.ts', 'export const j = 1;\n');
    write('j/j.spec.ts', "import { i } from '../i/i';\n");
    write('main.ts', "import { a } from './a/a';\nimport { j } from './j/j';\n");

    const cycles = findFolderCycles(fixture);
    expect(cycles.map((c) => c.folders)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
      ['f/x', 'f/y'],
    ]);
    expect(cycles[0]?.edges).toEqual(['a → b (a/a.ts imports b/b.ts)', 'b → a (b/b.ts imports a/a.ts)']);
  });
});
