import { describe, expect, it } from 'vitest';
import { seededRandom } from '@gateway/util';
import { parseIntrospectionRequest, SharedSecret } from './introspection-request';
import { OAuthError } from '../oauth-error';
import { oauthErrorOf } from '../../test/support/oauth-error-of';
import { below, mutate, pick, randomText } from '../../test/support/fuzz-inputs';

const SECRET_TEXT = 'a-shared-secret-of-reasonable-length';
const SECRET = new SharedSecret(SECRET_TEXT);
// Exactly what Synapse 1.160 sends (synapse/api/auth/mas.py in Synapse's repository).
const SYNAPSE_HEADERS = {
  authorization: `Bearer ${SECRET_TEXT}`,
  'content-type': 'application/x-www-form-urlencoded',
  accept: 'application/json',
  'x-mas-supports-device-id': '1',
  'user-agent': 'Synapse/1.160.0',
};
const SYNAPSE_BODY = 'token=mat_abc&token_type_hint=access_token';

const failure = oauthErrorOf;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe(parseIntrospectionRequest.name, () => {
  it("reads Synapse's request", () => {
    expect(parseIntrospectionRequest(SYNAPSE_HEADERS, SYNAPSE_BODY, SECRET)).toEqual({
      caller: { kind: 'homeserver' },
      token: 'mat_abc',
      tokenTypeHint: 'access_token',
      supportsDeviceId: true,
    });
  });

  it('takes the body as a string, URLSearchParams or a parsed object, and headers in any case', () => {
    const headers = { Authorization: `bearer ${SECRET_TEXT}` };
    for (const body of [
      SYNAPSE_BODY,
      new URLSearchParams(SYNAPSE_BODY),
      { token: 'mat_abc', token_type_hint: 'access_token' },
    ]) {
      expect(parseIntrospectionRequest(headers, body, SECRET)).toMatchObject({
        token: 'mat_abc',
        supportsDeviceId: false,
      });
    }
  });

  it('answers a wrong Bearer secret with 401 access_denied, as MAS does', () => {
    for (const presented of [
      'wrong',
      `${SECRET_TEXT}x`,
      SECRET_TEXT.slice(0, -1),
      '',
      SECRET_TEXT.toUpperCase(),
    ]) {
      expect(
        failure(() =>
          parseIntrospectionRequest({ authorization: `Bearer ${presented}` }, SYNAPSE_BODY, SECRET),
        ),
      ).toMatchObject({
        error: 'access_denied',
        status: 401,
      });
    }
  });

  it('answers missing credentials with 401 invalid_client', () => {
    expect(failure(() => parseIntrospectionRequest({}, SYNAPSE_BODY, SECRET))).toMatchObject({
      error: 'invalid_client',
      status: 401,
      description: 'client authentication is required',
    });
  });

  it('refuses public clients (client_id alone) with 401 invalid_client', () => {
    expect(
      failure(() => parseIntrospectionRequest({}, `${SYNAPSE_BODY}&client_id=abc`, SECRET)),
    ).toMatchObject({
      error: 'invalid_client',
      description: 'public clients cannot introspect tokens',
    });
  });

  it('never authenticates anyone when the configured secret is empty', () => {
    expect(
      failure(() =>
        parseIntrospectionRequest({ authorization: 'Bearer ' }, SYNAPSE_BODY, new SharedSecret('')),
      ).error,
    ).toBe('access_denied');
    expect(
      failure(() =>
        parseIntrospectionRequest({ authorization: 'Bearer x' }, SYNAPSE_BODY, new SharedSecret('')),
      ).error,
    ).toBe('access_denied');
  });

  it('hands client_secret_basic credentials back, form-urldecoded', () => {
    const headers = { authorization: basic('my%20client', 's%3Acret+x') };
    expect(parseIntrospectionRequest(headers, 'token=t', SECRET).caller).toEqual({
      kind: 'client',
      method: 'client_secret_basic',
      clientId: 'my client',
      clientSecret: 's:cret x',
    });
  });

  it('hands client_secret_post and client assertion credentials back', () => {
    expect(parseIntrospectionRequest({}, 'token=t&client_id=c&client_secret=s', SECRET).caller).toEqual({
      kind: 'client',
      method: 'client_secret_post',
      clientId: 'c',
      clientSecret: 's',
    });
    const assertion =
      'token=t&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJ.x.y';
    expect(parseIntrospectionRequest({}, assertion, SECRET).caller).toEqual({
      kind: 'client',
      method: 'client_assertion',
      clientId: null,
      assertionType: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      assertion: 'eyJ.x.y',
    });
  });

  it('refuses two authentication methods at once', () => {
    const run = () => parseIntrospectionRequest(SYNAPSE_HEADERS, `${SYNAPSE_BODY}&client_secret=x`, SECRET);
    expect(failure(run)).toMatchObject({ error: 'invalid_request', status: 400 });
  });

  it.each([
    ['a scheme it does not know', 'Digest abc'],
    ['Basic without a colon', `Basic ${Buffer.from('nocolon').toString('base64')}`],
    ['Basic that is not base64', 'Basic !!!'],
    ['Basic with bad percent-encoding', basic('%zz', 'x')],
  ])('refuses %s as invalid_client', (_what, authorization) => {
    expect(failure(() => parseIntrospectionRequest({ authorization }, SYNAPSE_BODY, SECRET)).error).toBe(
      'invalid_client',
    );
  });

  it('requires a token, given once', () => {
    const headers = { authorization: `Bearer ${SECRET_TEXT}` };
    expect(
      failure(() => parseIntrospectionRequest(headers, 'token_type_hint=access_token', SECRET)).description,
    ).toBe('token is required');
    expect(failure(() => parseIntrospectionRequest(headers, 'token=', SECRET)).error).toBe('invalid_request');
    expect(failure(() => parseIntrospectionRequest(headers, 'token=a&token=b', SECRET)).description).toBe(
      'token must be given once',
    );
    expect(failure(() => parseIntrospectionRequest(headers, { token: ['a', 'b'] }, SECRET)).error).toBe(
      'invalid_request',
    );
    expect(failure(() => parseIntrospectionRequest(headers, { token: 5 }, SECRET)).error).toBe(
      'invalid_request',
    );
  });

  it('authenticates before looking at the token', () => {
    expect(failure(() => parseIntrospectionRequest({ authorization: 'Bearer nope' }, '', SECRET)).error).toBe(
      'access_denied',
    );
  });

  it('ignores a hint it does not know rather than failing', () => {
    const headers = { authorization: `Bearer ${SECRET_TEXT}` };
    expect(
      parseIntrospectionRequest(headers, 'token=t&token_type_hint=id_token', SECRET).tokenTypeHint,
    ).toBeNull();
  });

  it('refuses a repeated Authorization header', () => {
    const headers = { authorization: [`Bearer ${SECRET_TEXT}`, `Bearer ${SECRET_TEXT}`] };
    expect(failure(() => parseIntrospectionRequest(headers, SYNAPSE_BODY, SECRET)).error).toBe(
      'invalid_request',
    );
  });

  it('reads X-MAS-Supports-Device-Id only when it is 1', () => {
    const headers = (value: string) => ({
      authorization: `Bearer ${SECRET_TEXT}`,
      'X-MAS-Supports-Device-Id': value,
    });
    expect(parseIntrospectionRequest(headers('1'), SYNAPSE_BODY, SECRET).supportsDeviceId).toBe(true);
    expect(parseIntrospectionRequest(headers('0'), SYNAPSE_BODY, SECRET).supportsDeviceId).toBe(false);
  });

  it('throws nothing but OAuthError on random and mutated input (fuzz)', () => {
    const next = seededRandom(0x1a7e);
    const authorizations = [`Bearer ${SECRET_TEXT}`, basic('c', 's'), 'Basic', 'Bearer', ''];
    for (let round = 0; round < 10_000; round++) {
      const authorization = next() < 0.5 ? mutate(next, pick(next, authorizations)) : randomText(next, 30);
      const body = next() < 0.5 ? mutate(next, SYNAPSE_BODY) : randomText(next, below(next, 2) ? 10 : 60);
      try {
        const request = parseIntrospectionRequest({ authorization }, body, SECRET);
        if (request.caller.kind === 'homeserver')
          expect(authorization).toMatch(new RegExp(`^bearer +${SECRET_TEXT}$`, 'i'));
        expect(request.token).not.toBe('');
      } catch (error) {
        expect(error).toBeInstanceOf(OAuthError);
        expect([400, 401]).toContain((error as OAuthError).status);
      }
    }
  });
});
