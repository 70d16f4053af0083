import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  createTestRedis,
  freePort,
  startService,
  stopService,
  waitHealthy,
  type RunningService,
  type TestDatabase,
  type TestRedis,
} from '@gateway/testing';

const ROOT = resolve(__dirname, '../../../..');
const TYPES_FILE = resolve(__dirname, '../../src/web/api/admin-api.ts');
const HEADER =
  "// Generated from the auth service's /api/spec.json by openapi-typescript; do not edit.\n" +
  '// Regenerate: UPDATE_ADMIN_API_TYPES=1 npx vitest run --project integration apps/admin-dashboard/test/integration/api-types.spec.ts\n';

/** The dashboard's API types, from the document the built auth service serves. */
async function generatedTypes(spec: Record<string, unknown>): Promise<string> {
  const text = astToString(await openapiTS(spec as unknown as Parameters<typeof openapiTS>[0]));
  const options = (await resolveConfig(TYPES_FILE)) ?? {};
  return format(`${HEADER}${text}`, { ...options, filepath: TYPES_FILE });
}

// The typed client is only as good as its types: they must be what the auth service serves today.
describe('the admin dashboard API types', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let auth: RunningService;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await createTestRedis();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    auth = startService(
      ROOT,
      {
        name: 'auth-service',
        main: 'dist/apps/auth-service/main.js',
        url,
        env: {
          AUTH_BIND: `127.0.0.1:${port}`,
          AUTH_ISSUER: `${url}/`,
          AUTH_DATABASE_URL: db.url,
          AUTH_REDIS_URL: redis.url,
          AUTH_HOMESERVER: 'localhost',
          // Never called: the document is built from the controllers alone.
          AUTH_SYNAPSE_URL: 'http://127.0.0.1:9/',
          AUTH_SYNAPSE_SECRET: 'unused-shared-secret-0123',
          AUTH_SIGNING_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'dash-keys-')), 'keys.json'),
        },
      },
      () => undefined,
      () => undefined,
    );
    await waitHealthy(url);
  });
  afterAll(async () => {
    await stopService(auth);
    await redis.cleanup();
    await db.drop();
  });

  it('are generated from the served /api/spec.json and are current', async () => {
    const res = await fetch(`${url}/api/spec.json`);
    expect(res.status).toBe(200);
    const types = await generatedTypes((await res.json()) as Record<string, unknown>);
    if (process.env['UPDATE_ADMIN_API_TYPES'] === '1') writeFileSync(TYPES_FILE, types);
    expect(readFileSync(TYPES_FILE, 'utf8'), 'regenerate with the command in the file header').toBe(types);
  });
});
