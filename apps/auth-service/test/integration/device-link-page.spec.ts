import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@gateway/testing';
import { startAuth, type AuthUnderTest } from '../support/start-auth';

// The device-code page (/link) posted to without, or with, the session its form belongs to. Without it,
// oidc-provider answered 500 (it re-saved a session it never saved; found by the security tier).
describe('POST /link', () => {
  let auth: AuthUnderTest;
  beforeAll(async () => {
    auth = await startAuth(await freePort(), 'http://127.0.0.1:9');
  });
  afterAll(async () => {
    await auth.stop();
  });

  const post = (body: string, cookie = '') =>
    fetch(`${auth.url}/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body,
      redirect: 'manual',
    }).then(async (r) => ({
      status: r.status,
      type: r.headers.get('content-type') ?? '',
      text: await r.text(),
    }));

  it('answers a post without the page’s session with the page, 400, and a way back', async () => {
    for (const body of ['xsrf=x&user_code=ABCD-EFGH', '', 'user_code=%00']) {
      const answer = await post(body);
      if (body.includes('%00')) {
        expect(answer.status).toBe(400);
        continue;
      }
      expect(answer.status, body).toBe(400);
      expect(answer.type).toMatch(/^text\/html/);
      expect(answer.text).toContain('This page expired');
      expect(answer.text).toContain('href="/link"');
    }
  });

  it('answers a wrong code or a forged form on a live page with the page, not a 500', async () => {
    const page = await fetch(`${auth.url}/link`);
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(xsrf).toBeDefined();
    for (const body of [`xsrf=${xsrf ?? ''}&user_code=WRONG-CODE`, 'xsrf=forged&user_code=ABCD-EFGH']) {
      const answer = await post(body, cookie);
      expect([200, 400], body).toContain(answer.status);
      expect(answer.type).toMatch(/^text\/html/);
      expect(answer.text).toContain('Link a device');
    }
  });
});
