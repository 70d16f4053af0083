import { MatrixError } from '@gateway/matrix';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@gateway/util';
import { parseDelegateDelayedLeaveBody, parseGetTokenBody, parseSfuGetBody } from './request-body';

// Seeded so a failure reproduces; bump SEED locally to explore more of the space.
const SEED = 0x5eed;
const ROUNDS = 3000;

const KEYS = [
  'room_id',
  'slot_id',
  'room',
  'device_id',
  'openid_token',
  'member',
  'access_token',
  'matrix_server_name',
  'token_type',
  'expires_in',
  'id',
  'claimed_user_id',
  'claimed_device_id',
  'delay_id',
  'delay_timeout',
  'delay_cs_api_url',
  '__proto__',
  'constructor',
  'ROOM_ID',
  '',
];

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return [0, -1, 1, 1.5, 1e21, -0, 2 ** 53, 10000, Number.MAX_SAFE_INTEGER][Math.floor(next() * 9)];
    case 3:
      return '';
    case 4:
      return randomString(next);
    case 5:
      return 'x'.repeat(Math.floor(next() * 4) === 0 ? 200_000 : 3);
    case 6:
      return Array.from({ length: Math.floor(next() * 3) }, () => randomValue(next, depth + 1));
    default:
      return randomObject(next, depth + 1);
  }
}

function randomObject(next: () => number, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const count = Math.floor(next() * 6);
  for (let i = 0; i < count; i++) {
    const key = KEYS[Math.floor(next() * KEYS.length)] ?? 'x';
    Object.defineProperty(result, key, { value: randomValue(next, depth), enumerable: true, writable: true });
  }
  return result;
}

function randomString(next: () => number): string {
  const length = Math.floor(next() * 12);
  return Array.from({ length }, () => String.fromCharCode(Math.floor(next() * 0x3000))).join('');
}

function mutateText(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  switch (Math.floor(next() * 4)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    case 2:
      return text.slice(0, at) + '{}[]",:\\0e-'.charAt(Math.floor(next() * 12)) + text.slice(at);
    default:
      return text.slice(0, at) + String.fromCharCode(Math.floor(next() * 256)) + text.slice(at);
  }
}

const PARSERS = [parseGetTokenBody, parseSfuGetBody, parseDelegateDelayedLeaveBody] as const;
const VALID = JSON.stringify({
  room_id: '!r:x',
  slot_id: 'm.call#ROOM',
  room: '!r:x',
  device_id: 'D',
  delay_id: 'd',
  delay_timeout: 5,
  openid_token: { access_token: 't', matrix_server_name: 'x', token_type: 'Bearer', expires_in: 60 },
  member: { id: 'm', claimed_user_id: '@u:x', claimed_device_id: 'D' },
});

function expectOnlyClientErrors(raw: string, strict: boolean): void {
  for (const parse of PARSERS) {
    try {
      const parsed = parse(raw, { strictUnknownFields: strict });
      // Anything accepted carries the fields later steps rely on.
      expect(parsed.openId.accessToken).not.toBe('');
      expect(parsed.openId.matrixServerName).not.toBe('');
    } catch (error) {
      expect(error).toBeInstanceOf(MatrixError);
      const e = error as MatrixError;
      expect(e.status).toBe(400);
      expect(['M_NOT_JSON', 'M_BAD_JSON']).toContain(e.errcode);
    }
  }
}

// CPU-bound rounds: a correctness check, not a timing one, so a loaded machine must not fail it.
describe('request body parsers under random input', { timeout: 60_000 }, () => {
  it('answer only 400 M_NOT_JSON / M_BAD_JSON for random JSON documents', () => {
    const next = seededRandom(SEED);
    for (let i = 0; i < ROUNDS; i++) {
      const doc = next() < 0.8 ? randomObject(next, 0) : randomValue(next, 0);
      expectOnlyClientErrors(JSON.stringify(doc), next() < 0.3);
    }
  });

  it('answer only client errors for byte-level mutations of a valid body', () => {
    const next = seededRandom(SEED + 1);
    for (let i = 0; i < ROUNDS; i++) {
      let text = VALID;
      for (let m = 1 + Math.floor(next() * 3); m > 0; m--) text = mutateText(text, next);
      expectOnlyClientErrors(text, next() < 0.3);
    }
  });

  it('answer only client errors for random character soup', () => {
    const next = seededRandom(SEED + 2);
    for (let i = 0; i < ROUNDS; i++) expectOnlyClientErrors(randomString(next), false);
  });

  it('survive pathological nesting and huge strings', () => {
    expectOnlyClientErrors('['.repeat(200_000), false);
    expectOnlyClientErrors('{"member":'.repeat(50_000) + 'null' + '}'.repeat(50_000), false);
    expectOnlyClientErrors(JSON.stringify({ room_id: 'r'.repeat(5_000_000) }), false);
    expectOnlyClientErrors('"' + 'a'.repeat(1_000_000) + '"', false);
  });
});
