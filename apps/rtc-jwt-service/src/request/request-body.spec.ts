import { MatrixError } from '@gateway/matrix';
import { describe, expect, it } from 'vitest';
import {
  parseDelegateDelayedLeaveBody,
  parseGetTokenBody,
  parseSfuGetBody,
  REQUEST_ERRORS,
  validateGetTokenBody,
} from './request-body';

const openid = {
  access_token: 'tok',
  token_type: 'Bearer',
  matrix_server_name: 'example.com',
  expires_in: 3600,
};
const member = { id: 'memberABC', claimed_user_id: '@alice:example.com', claimed_device_id: 'DEVICE123' };
const getToken = { room_id: '!room:example.com', slot_id: 'm.call#ROOM', openid_token: openid, member };
const sfuGet = { room: '!room:example.com', openid_token: openid, device_id: 'DEVICE' };
const delegate = { ...getToken, delay_id: 'syd_abc', delay_timeout: 10000 };

function errorOf(run: () => unknown): { status: number; errcode: string; error: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MatrixError);
    const e = error as MatrixError;
    return { status: e.status, errcode: e.errcode, error: e.message };
  }
  throw new Error('expected a MatrixError');
}

const notJson = { status: 400, errcode: 'M_NOT_JSON', error: 'Error reading request' };
const badJson = (error: string) => ({ status: 400, errcode: 'M_BAD_JSON', error });
const json = (value: unknown) => JSON.stringify(value);

describe(parseGetTokenBody.name, () => {
  it('parses the body Element Call sends', () => {
    expect(parseGetTokenBody(json(getToken))).toEqual({
      roomId: '!room:example.com',
      slotId: 'm.call#ROOM',
      openId: {
        accessToken: 'tok',
        matrixServerName: 'example.com',
        tokenType: 'Bearer',
        expiresInSeconds: 3600,
      },
      member: { id: 'memberABC', claimedUserId: '@alice:example.com', claimedDeviceId: 'DEVICE123' },
      delay: null,
    });
  });

  it('parses delay parameters and ignores delay_cs_api_url', () => {
    const body = { ...getToken, delay_id: 'd', delay_timeout: 10000, delay_cs_api_url: 'https://hs' };
    expect(parseGetTokenBody(json(body)).delay).toEqual({ delayId: 'd', delayTimeoutMs: 10000 });
    expect(parseGetTokenBody(json({ ...getToken, delay_id: 'd', delay_timeout: 5 })).delay).toEqual({
      delayId: 'd',
      delayTimeoutMs: 5,
    });
  });

  it('treats a missing or non-positive expires_in as unknown', () => {
    const { expires_in: _drop, ...noExpiry } = openid;
    expect(
      parseGetTokenBody(json({ ...getToken, openid_token: noExpiry })).openId.expiresInSeconds,
    ).toBeNull();
    const negative = { ...getToken, openid_token: { ...openid, expires_in: -1 } };
    expect(parseGetTokenBody(json(negative)).openId.expiresInSeconds).toBeNull();
  });

  it.each(['', '   ', '{', '{"room_id": "x",}', 'not json', '[1,2', '\uFEFF{}', "{'a':1}"])(
    'answers M_NOT_JSON for the unparseable body %j',
    (raw) => {
      expect(errorOf(() => parseGetTokenBody(raw))).toEqual(notJson);
    },
  );

  it.each([
    ['delay_timeout as a string', { ...getToken, delay_id: 'd', delay_timeout: '10000' }],
    ['delay_timeout as a fraction', { ...getToken, delay_id: 'd', delay_timeout: 1.5 }],
    ['room_id as a number', { ...getToken, room_id: 1 }],
    ['member as a string', { ...getToken, member: 'x' }],
    ['openid_token as an array', { ...getToken, openid_token: [] }],
    ['expires_in as a string', { ...getToken, openid_token: { ...openid, expires_in: '3600' } }],
    ['a type error hiding behind missing fields', { room_id: 5 }],
  ])('answers M_NOT_JSON for %s', (_label, body) => {
    expect(errorOf(() => parseGetTokenBody(json(body)))).toEqual(notJson);
  });

  it.each([['[]'], ['"text"'], ['42'], ['true']])('answers M_NOT_JSON for the top-level value %s', (raw) => {
    expect(errorOf(() => parseGetTokenBody(raw))).toEqual(notJson);
  });

  it('answers M_BAD_JSON (not M_NOT_JSON) for null, which Go decodes as an empty struct', () => {
    expect(errorOf(() => parseGetTokenBody('null'))).toEqual(badJson(REQUEST_ERRORS.missingRoomOrSlot));
  });

  it('checks the fields in the reference order with its exact texts', () => {
    expect(errorOf(() => parseGetTokenBody('{}'))).toEqual(
      badJson('The request body is missing `room_id` or `slot_id`'),
    );
    expect(errorOf(() => parseGetTokenBody(json({ ...getToken, slot_id: '' })))).toEqual(
      badJson('The request body is missing `room_id` or `slot_id`'),
    );
    const noMemberNoOpenId = { room_id: '!r:x', slot_id: 's' };
    expect(errorOf(() => parseGetTokenBody(json(noMemberNoOpenId)))).toEqual(
      badJson('The request body `member` is missing a `id`, `claimed_user_id` or `claimed_device_id`'),
    );
    for (const field of ['id', 'claimed_user_id', 'claimed_device_id']) {
      const body = { ...getToken, member: { ...member, [field]: '' }, openid_token: null };
      expect(errorOf(() => parseGetTokenBody(json(body))).error).toBe(REQUEST_ERRORS.missingMember);
    }
    for (const field of ['access_token', 'matrix_server_name']) {
      const body = { ...getToken, openid_token: { ...openid, [field]: '' }, delay_id: 'only-id' };
      expect(errorOf(() => parseGetTokenBody(json(body)))).toEqual(
        badJson('The request body `openid_token` is missing a `access_token` or `matrix_server_name`'),
      );
    }
  });

  it.each([
    ['only delay_id', { delay_id: 'd' }],
    ['only delay_timeout', { delay_timeout: 1000 }],
    ['delay_id with a zero timeout', { delay_id: 'd', delay_timeout: 0 }],
    ['delay_id with a negative timeout', { delay_id: 'd', delay_timeout: -1 }],
    ['delay_id with delay_cs_api_url', { delay_id: 'd', delay_cs_api_url: 'https://x' }],
    ['delay_timeout with delay_cs_api_url', { delay_timeout: 1000, delay_cs_api_url: 'https://x' }],
  ])('refuses partial delay parameters: %s', (_label, extra) => {
    expect(errorOf(() => parseGetTokenBody(json({ ...getToken, ...extra })))).toEqual(
      badJson('The request body is missing `delay_id` or `delay_timeout`'),
    );
  });

  it('accepts no delay at all, including a negative timeout without an id', () => {
    expect(
      parseGetTokenBody(json({ ...getToken, delay_timeout: -5, delay_cs_api_url: 'x' })).delay,
    ).toBeNull();
  });

  it('ignores unknown fields by default, at every level', () => {
    const body = {
      ...getToken,
      extra: 1,
      openid_token: { ...openid, extra: true },
      member: { ...member, x: [] },
    };
    expect(parseGetTokenBody(json(body)).member.id).toBe('memberABC');
  });

  it('refuses unknown fields with M_NOT_JSON in strict mode, as lk-jwt-service does', () => {
    const strict = { strictUnknownFields: true };
    expect(parseGetTokenBody(json(getToken), strict).roomId).toBe('!room:example.com');
    expect(errorOf(() => parseGetTokenBody(json({ ...getToken, extra: 1 }), strict))).toEqual(notJson);
    const nested = { ...getToken, openid_token: { ...openid, refresh: 'x' } };
    expect(errorOf(() => parseGetTokenBody(json(nested), strict))).toEqual(notJson);
  });

  it('is also usable on a body a framework has already parsed', () => {
    expect(validateGetTokenBody(getToken).slotId).toBe('m.call#ROOM');
    expect(errorOf(() => validateGetTokenBody(undefined)).errcode).toBe('M_BAD_JSON');
  });
});

describe(parseSfuGetBody.name, () => {
  it('parses the legacy body', () => {
    expect(parseSfuGetBody(json(sfuGet))).toEqual({
      room: '!room:example.com',
      openId: {
        accessToken: 'tok',
        matrixServerName: 'example.com',
        tokenType: 'Bearer',
        expiresInSeconds: 3600,
      },
      deviceId: 'DEVICE',
      delay: null,
    });
  });

  it('allows an empty or missing device_id', () => {
    const { device_id: _drop, ...noDevice } = sfuGet;
    expect(parseSfuGetBody(json(noDevice)).deviceId).toBe('');
  });

  it('checks room, then the OpenID token, then the delay parameters', () => {
    expect(errorOf(() => parseSfuGetBody('{}'))).toEqual(badJson('Missing room parameter'));
    expect(errorOf(() => parseSfuGetBody('{"room":""}'))).toEqual(badJson('Missing room parameter'));
    expect(errorOf(() => parseSfuGetBody(json({ room: '!r:x', delay_id: 'd' })))).toEqual(
      badJson('Missing OpenID token parameters'),
    );
    expect(errorOf(() => parseSfuGetBody(json({ ...sfuGet, delay_timeout: 10 })))).toEqual(
      badJson(REQUEST_ERRORS.missingDelay),
    );
    expect(parseSfuGetBody(json({ ...sfuGet, delay_id: 'd', delay_timeout: 10 })).delay).toEqual({
      delayId: 'd',
      delayTimeoutMs: 10,
    });
  });

  it('answers M_BAD_JSON for a /get_token body when lenient, M_NOT_JSON when strict', () => {
    expect(errorOf(() => parseSfuGetBody(json(getToken)))).toEqual(badJson('Missing room parameter'));
    expect(errorOf(() => parseSfuGetBody(json(getToken), { strictUnknownFields: true }))).toEqual(notJson);
  });

  it('answers M_NOT_JSON for wrong types', () => {
    expect(errorOf(() => parseSfuGetBody(json({ ...sfuGet, device_id: 7 })))).toEqual(notJson);
  });
});

describe(parseDelegateDelayedLeaveBody.name, () => {
  it('parses a complete body', () => {
    expect(parseDelegateDelayedLeaveBody(json(delegate)).delay).toEqual({
      delayId: 'syd_abc',
      delayTimeoutMs: 10000,
    });
  });

  it('ignores a missing delay_cs_api_url', () => {
    expect(parseDelegateDelayedLeaveBody(json({ ...delegate, delay_cs_api_url: 'https://x' })).roomId).toBe(
      '!room:example.com',
    );
  });

  it('uses the texts without the stray "a"', () => {
    expect(errorOf(() => parseDelegateDelayedLeaveBody(json({ ...delegate, member: {} })))).toEqual(
      badJson('The request body `member` is missing `id`, `claimed_user_id` or `claimed_device_id`'),
    );
    expect(errorOf(() => parseDelegateDelayedLeaveBody(json({ ...delegate, openid_token: {} })))).toEqual(
      badJson('The request body `openid_token` is missing `access_token` or `matrix_server_name`'),
    );
    expect(errorOf(() => parseDelegateDelayedLeaveBody(json({ ...delegate, room_id: '' })))).toEqual(
      badJson(REQUEST_ERRORS.missingRoomOrSlot),
    );
  });

  it.each([
    ['a missing delay_id', { delay_id: '' }],
    ['a zero delay_timeout', { delay_timeout: 0 }],
    ['a negative delay_timeout', { delay_timeout: -1 }],
    ['no delay at all', { delay_id: null, delay_timeout: null }],
  ])('requires the delay parameters: %s', (_label, change) => {
    expect(errorOf(() => parseDelegateDelayedLeaveBody(json({ ...delegate, ...change })))).toEqual(
      badJson('The request body is missing `delay_id` or `delay_timeout`'),
    );
  });

  it('answers M_NOT_JSON for garbage', () => {
    expect(errorOf(() => parseDelegateDelayedLeaveBody('{"delay_timeout": "soon"}'))).toEqual(notJson);
  });
});
