import { createHash, randomBytes } from 'node:crypto';
import { approve } from './sign-in';

const REDIRECT = 'https://client.example.org/callback';

/**
 * An access token from the auth service the way a Matrix client gets one (MSC2964): dynamic client
 * registration, the authorization code flow with PKCE through the sign-in and consent pages, and the
 * code exchange. The device id is requested with the device scope, as Element X does.
 */
export async function oauthAccessToken(
  issuer: string,
  credentials: { username: string; password: string },
  deviceId = `DEV${randomBytes(6).toString('hex').toUpperCase()}`,
): Promise<{ accessToken: string; refreshToken: string; deviceId: string }> {
  const registration = await fetch(new URL('oauth2/registration', issuer), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Test Client',
      client_uri: 'https://client.example.org/',
      redirect_uris: [REDIRECT],
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    }),
  });
  const client = (await registration.json()) as { client_id?: string };
  if (registration.status !== 201 || client.client_id === undefined)
    throw new Error(`client registration failed: ${registration.status} ${JSON.stringify(client)}`);
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL('authorize', issuer);
  const state = randomBytes(8).toString('hex');
  for (const [k, v] of Object.entries({
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: `urn:matrix:client:api:* urn:matrix:client:device:${deviceId}`,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })) {
    authorize.searchParams.set(k, v);
  }
  const callback = await approve(authorize.toString(), issuer, credentials);
  const code = callback.searchParams.get('code');
  if (code === null || callback.searchParams.get('state') !== state)
    throw new Error(`sign-in returned no code: ${callback.toString()}`);
  const token = await fetch(new URL('oauth2/token', issuer), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: client.client_id,
      code_verifier: verifier,
    }),
  });
  const body = (await token.json()) as { access_token?: string; refresh_token?: string };
  if (token.status !== 200 || body.access_token === undefined || body.refresh_token === undefined)
    throw new Error(`code exchange failed: ${token.status} ${JSON.stringify(body)}`);
  return { accessToken: body.access_token, refreshToken: body.refresh_token, deviceId };
}
