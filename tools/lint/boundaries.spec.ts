import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// Proves the module boundaries are enforced, not just configured: each snippet is written for a
// moment as a file in the named project (the rule knows a project by its files' paths),
// linted, and removed; it must fail (or pass) on the boundary rules.
const root = resolve(__dirname, '../..');
const BOUNDARY_RULES = new Set(['@nx/enforce-module-boundaries', 'no-restricted-imports']);
let eslint: ESLint;

async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const file = join(dirname(resolve(root, path)), `boundary-probe-${randomBytes(4).toString('hex')}.ts`);
  writeFileSync(file, code);
  try {
    const [result] = await eslint.lintFiles([file]);
    const messages = result?.messages ?? [];
    const fatal = messages.find((m) => m.fatal === true);
    if (fatal) throw new Error(fatal.message);
    return messages.filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId)).map((m) => m.message);
  } finally {
    rmSync(file, { force: true });
  }
}

describe('module boundaries', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    // The rule reads Nx's project graph; without one it silently skips, which would make this test pass vacuously.
    await createProjectGraphAsync({ exitOnError: true });
    // Only the two boundary rules run, without type information: they read imports, not types, and a
    // program per probe made this the slowest unit test (~45 s on a busy machine). The workspace's own
    // config still decides what they enforce.
    eslint = new ESLint({
      cwd: root,
      ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId),
      overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
    });
  }, 60_000);

  it('refuses a framework import in the wire-types lib', async () => {
    const errors = await boundaryErrors(
      'libs/matrix/src/probe.ts',
      "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
    );
    expect(errors.join('\n')).toMatch(/tagged with "type:types" is not allowed to import "@nestjs\/common"/);
  });

  it('refuses a lib importing a higher layer', async () => {
    const errors = await boundaryErrors(
      'libs/config/src/probe.ts',
      "import { Database } from '@gateway/db';\nexport const x = Database;\n",
    );
    expect(errors.join('\n')).toMatch(
      /tagged with "type:util" can only depend on libs tagged with "type:types", "type:util"/,
    );
  });

  it('refuses TypeORM in an app (the db layer owns it)', async () => {
    const errors = await boundaryErrors(
      'apps/sync-proxy/src/probe.ts',
      "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n",
    );
    expect(errors.join('\n')).toMatch(/tagged with "type:app" is not allowed to import "typeorm"/);
  });

  it('refuses deep imports into a lib instead of its index', async () => {
    const errors = await boundaryErrors(
      'apps/sync-proxy/src/probe.ts',
      "import { Metrics } from '../../../libs/server/src/metrics';\nexport const x = Metrics;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('refuses test helpers in production code of an app', async () => {
    const errors = await boundaryErrors(
      'apps/sync-proxy/src/probe.ts',
      "import { freePort } from '@gateway/testing';\nexport const x = freePort;\n",
    );
    expect(errors.join('\n')).toMatch(/Test helpers are for tests only/);
  });

  it('accepts an app importing a lib through its index', async () => {
    expect(
      await boundaryErrors(
        'apps/sync-proxy/src/probe.ts',
        "import { Metrics } from '@gateway/server';\nexport const x = Metrics;\n",
      ),
    ).toEqual([]);
  });
});
