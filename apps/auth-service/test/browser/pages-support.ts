import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { WatchedPage } from '@gateway/testing';

export const REDIRECT = 'https://client.example.org/callback';
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Registers a public client the way Element X does (RFC 7591), with a name people would recognise. */
export async function registerClient(issuer: string, clientName: string): Promise<string> {
  const res = await fetch(`${issuer}oauth2/registration`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_name: clientName,
      client_uri: 'https://client.example.org/',
      redirect_uris: [REDIRECT],
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
      response_types: ['code'],
    }),
  });
  const body = (await res.json()) as { client_id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.client_id;
}

export interface Authorization {
  url: string;
  verifier: string;
}

export function authorizeUrl(issuer: string, clientId: string, scope: string): Authorization {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${issuer}authorize`);
  for (const [k, v] of Object.entries({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(k, v);
  return { url: url.toString(), verifier };
}

/**
 * The client's redirect URI is not a real site: the browser's request to it is answered here and its
 * URL (carrying the code or the error) handed back.
 */
export async function catchRedirect(page: Page): Promise<() => Promise<URL>> {
  let seen: (url: URL) => void = () => undefined;
  const arrived = new Promise<URL>((resolve) => (seen = resolve));
  await page.route('https://client.example.org/**', async (route) => {
    seen(new URL(route.request().url()));
    await route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the client' });
  });
  return async () => {
    const url = await arrived;
    // The page is at the client before the next step navigates elsewhere.
    await page.waitForURL((u) => u.hostname === 'client.example.org');
    return url;
  };
}

/** Clicks a submit button and waits for the page it leads to (not the page it was on). */
export async function submit(page: Page, button: Locator): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated', (f) => f === page.mainFrame()), button.click()]);
  await page.waitForLoadState();
}

export async function exchangeCode(
  issuer: string,
  clientId: string,
  code: string,
  verifier: string,
): Promise<{ access_token: string; refresh_token: string }> {
  const res = await fetch(`${issuer}oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: clientId,
      code_verifier: verifier,
    }),
  });
  const body = (await res.json()) as { access_token: string; refresh_token: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

export async function whoami(synapseUrl: string, token: string): Promise<Response> {
  return fetch(`${synapseUrl}/_matrix/client/v3/account/whoami`, {
    headers: { Authorization: `Bearer ${token}` },
  });
}

/** What a person reads on the page: its visible text, whitespace collapsed. */
export async function visibleText(page: Page): Promise<string> {
  return (await page.locator('body').innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * What went wrong in the page itself: CSP violations, script errors. Chromium also logs every non-2xx
 * navigation as "Failed to load resource"; an error page's own status is not a problem of the page.
 */
export function pageProblems(w: WatchedPage): string[] {
  return w.problems.filter((p) => !p.startsWith('Failed to load resource: the server responded'));
}
