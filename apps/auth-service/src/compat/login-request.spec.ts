import { describe, expect, it } from 'vitest';
import { MatrixError } from '@gateway/matrix';
import { seededRandom } from '@gateway/util';
import { parseLoginRequest } from './login-request';

function refusal(body: unknown): { status: number; errcode: string; error: string } {
  try {
    parseLoginRequest(body);
  } catch (err) {
    if (err instanceof MatrixError) return { status: err.status, errcode: err.errcode, error: err.message };
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe(parseLoginRequest.name, () => {
  it('reads a password login by m.id.user identifier, with the optional fields', () => {
    expect(
      parseLoginRequest({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: '@alice:example.com' },
        password: 'pw',
        device_id: 'ABCDEF',
        initial_device_display_name: 'Phone',
        refresh_token: true,
      }),
    ).toEqual({
      type: 'm.login.password',
      user: '@alice:example.com',
      password: 'pw',
      deviceId: 'ABCDEF',
      initialDeviceDisplayName: 'Phone',
      refreshToken: true,
    });
  });

  it('takes the legacy top-level user field over the identifier, as Synapse does', () => {
    expect(
      parseLoginRequest({
        type: 'm.login.password',
        user: 'bob',
        identifier: { type: 'm.id.user', user: 'x' },
        password: 'p',
      }),
    ).toMatchObject({ user: 'bob', deviceId: null, refreshToken: false });
  });

  it('reads a token login; an empty device_id means "generate one"', () => {
    expect(parseLoginRequest({ type: 'm.login.token', token: 't', device_id: '' })).toMatchObject({
      type: 'm.login.token',
      token: 't',
      deviceId: null,
    });
  });

  it.each([
    [[], 400, 'M_BAD_JSON', 'Content must be a JSON object.'],
    [null, 400, 'M_BAD_JSON', 'Content must be a JSON object.'],
    [{}, 400, 'M_UNKNOWN', 'Missing JSON keys.'],
    [{ type: 1 }, 400, 'M_INVALID_PARAM', 'Bad parameter: type'],
    [
      { type: 'm.login.password', refresh_token: 1 },
      400,
      'M_UNKNOWN',
      '`refresh_token` should be true or false.',
    ],
    [
      { type: 'm.login.application_service' },
      400,
      'M_UNKNOWN',
      'Unknown login type m.login.application_service',
    ],
    [{ type: 'm.login.token' }, 400, 'M_UNKNOWN', 'Missing JSON keys.'],
    [{ type: 'm.login.token', token: 5 }, 403, 'M_FORBIDDEN', 'Invalid login token'],
    [{ type: 'm.login.password', password: 'p' }, 400, 'M_MISSING_PARAM', "Missing 'type' key in identifier"],
    [
      { type: 'm.login.password', identifier: { type: 'x' }, password: 'p' },
      400,
      'M_UNKNOWN',
      'Unknown login identifier type',
    ],
    [
      { type: 'm.login.password', identifier: { type: 'm.id.user' }, password: 'p' },
      400,
      'M_UNKNOWN',
      "User identifier is missing 'user' key",
    ],
    [{ type: 'm.login.password', user: 'a' }, 400, 'M_INVALID_PARAM', 'Bad parameter: password'],
    [
      { type: 'm.login.password', user: 'a', password: 'p', device_id: 7 },
      400,
      'M_INVALID_PARAM',
      'Bad parameter: device_id',
    ],
    [
      { type: 'm.login.password', user: 'a', password: 'p', device_id: 'a b' },
      400,
      'M_INVALID_PARAM',
      'Bad parameter: device_id',
    ],
    [
      { type: 'm.login.password', user: 'a', password: 'p', device_id: 'x'.repeat(256) },
      400,
      'M_INVALID_PARAM',
      'device_id cannot be longer than 255 characters.',
    ],
  ])('refuses %j with %i %s', (body, status, errcode, error) => {
    expect(refusal(body)).toEqual({ status, errcode, error });
  });

  it('treats __proto__ as data, not as the object prototype', () => {
    const body = JSON.parse(
      '{"__proto__": {"type": "m.login.password"}, "user": "a", "password": "p"}',
    ) as unknown;
    expect(refusal(body).error).toBe('Missing JSON keys.');
  });

  it('only ever throws MatrixErrors with a 4xx status (fuzz)', () => {
    const next = seededRandom(0x10914);
    const values = [
      undefined,
      null,
      0,
      1,
      true,
      '',
      'm.login.password',
      'm.login.token',
      'm.id.user',
      {},
      [],
      { type: 'm.id.user', user: 'u' },
    ];
    const keys = [
      'type',
      'user',
      'password',
      'identifier',
      'token',
      'device_id',
      'initial_device_display_name',
      'refresh_token',
    ];
    for (let round = 0; round < 5000; round++) {
      const body: Record<string, unknown> = {};
      for (const key of keys) if (next() < 0.5) body[key] = values[Math.floor(next() * values.length)];
      try {
        parseLoginRequest(body);
      } catch (err) {
        expect(err).toBeInstanceOf(MatrixError);
        expect((err as MatrixError).status).toBeGreaterThanOrEqual(400);
        expect((err as MatrixError).status).toBeLessThan(500);
      }
    }
  });
});
