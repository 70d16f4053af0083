import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@gateway/testing';
import { startAuth, type AuthUnderTest } from '../support/start-auth';

// No Synapse is called: the form parser answers before any handler runs.
const UNUSED_SYNAPSE = 'http://127.0.0.1:9';

// The HTML forms' body parser (app-options.ts). A username carrying U+0000 reached Postgres, which
// cannot store it, and the sign-in form answered 500 (found by the security tier, seed 0x5ecfa0 index 200).
describe('form bodies the database cannot hold', () => {
  let auth: AuthUnderTest;
  beforeAll(async () => {
    auth = await startAuth(await freePort(), UNUSED_SYNAPSE);
  });
  afterAll(async () => {
    await auth.stop();
  });

  const post = (path: string, body: string) =>
    fetch(`${auth.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    }).then(async (r) => ({ status: r.status, text: await r.text() }));

  it('refuses NUL in any field or name with 400 M_INVALID_PARAM, before the form runs', async () => {
    // (Percent-decoding yields U+FFFD for a surrogate's bytes, so in a form only NUL gets through.)
    for (const body of ['csrf=x&username=a%00b&password=p', 'a%00=1', 'code=%00']) {
      const answer = await post('/account/profile', body);
      expect(answer.status, body).toBe(400);
      expect(JSON.parse(answer.text), body).toMatchObject({ errcode: 'M_INVALID_PARAM' });
    }
    // An ordinary body reaches the form (which refuses it for its own reasons, not the parser).
    const ordinary = await post('/account/profile', 'csrf=x&displayname=Ann');
    expect(ordinary.text).not.toContain('M_INVALID_PARAM');
  });
});
