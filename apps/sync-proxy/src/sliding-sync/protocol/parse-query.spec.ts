import { MatrixError, type Errcode } from '@gateway/matrix';
import { describe, expect, it } from 'vitest';
import { formatPos, MAX_SYNC_TIMEOUT_MS, parseSyncQuery } from './parse-query';

function expectRejected(query: Record<string, unknown>, errcode: Errcode, message: string): void {
  let caught: unknown;
  try {
    parseSyncQuery(query);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MatrixError);
  const error = caught as MatrixError;
  expect(error.status).toBe(400);
  expect(error.errcode).toBe(errcode);
  expect(error.message).toBe(message);
}

const NOT_AN_INTEGER = 'Query parameter timeout must be an integer';
const NEGATIVE = 'Query parameter timeout must be a positive integer.';

describe('parseSyncQuery timeout', () => {
  it('defaults to 0', () => {
    expect(parseSyncQuery({}).timeoutMs).toBe(0);
  });

  it.each([
    ['0', 0],
    ['30000', 30_000],
    ['007', 7],
    ['120000', MAX_SYNC_TIMEOUT_MS],
  ])('reads %j', (timeout, expected) => {
    expect(parseSyncQuery({ timeout }).timeoutMs).toBe(expected);
  });

  it('clamps long waits to 120 s', () => {
    expect(MAX_SYNC_TIMEOUT_MS).toBe(120_000);
    expect(parseSyncQuery({ timeout: '120001' }).timeoutMs).toBe(120_000);
    expect(parseSyncQuery({ timeout: '600000' }).timeoutMs).toBe(120_000);
    expect(parseSyncQuery({ timeout: '9'.repeat(400) }).timeoutMs).toBe(120_000);
  });

  it('takes the first of repeated values', () => {
    expect(parseSyncQuery({ timeout: ['5', 'x'] }).timeoutMs).toBe(5);
    expect(parseSyncQuery({ timeout: [] }).timeoutMs).toBe(0);
  });

  it.each([[''], ['1.5'], ['1e3'], ['abc'], [' 1'], ['+1'], ['0x10'], [['x', '1']], [5], [{}]])(
    'answers M_INVALID_PARAM for %j',
    (timeout) => {
      expectRejected({ timeout }, 'M_INVALID_PARAM', NOT_AN_INTEGER);
    },
  );

  it('has its own text for negative values', () => {
    expectRejected({ timeout: '-1' }, 'M_INVALID_PARAM', NEGATIVE);
    expectRejected({ timeout: ['-30000'] }, 'M_INVALID_PARAM', NEGATIVE);
  });

  it('is checked before pos', () => {
    expectRejected({ timeout: 'x', pos: 'y' }, 'M_INVALID_PARAM', NOT_AN_INTEGER);
  });
});

describe('parseSyncQuery pos', () => {
  it('is undefined when absent', () => {
    expect(parseSyncQuery({ timeout: '0' }).pos).toBeUndefined();
    expect(parseSyncQuery({ pos: [] }).pos).toBeUndefined();
  });

  it.each([
    ['1', 1],
    ['42', 42],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('reads %j', (pos, position) => {
    expect(parseSyncQuery({ pos }).pos).toEqual({ position });
    expect(parseSyncQuery({ pos: [pos, 'junk'] }).pos).toEqual({ position });
  });

  it.each([
    [''],
    ['0'],
    ['01'],
    ['-1'],
    ['1.5'],
    ['abc'],
    ['s42_7'],
    ['9007199254740992'],
    ['12345678901234567'],
    [' 1'],
    [1],
    [{}],
  ])('answers 400 M_UNKNOWN for %j', (pos) => {
    expectRejected({ pos }, 'M_UNKNOWN', 'Invalid stream token');
  });

  it('reads own properties only, also of null-prototype objects', () => {
    const query = Object.create(null) as Record<string, unknown>;
    query.pos = '3';
    expect(parseSyncQuery(query)).toEqual({ pos: { position: 3 }, timeoutMs: 0 });
    expect(parseSyncQuery(Object.create({ pos: 'x', timeout: 'x' }) as Record<string, unknown>)).toEqual({
      pos: undefined,
      timeoutMs: 0,
    });
  });
});

describe('formatPos', () => {
  it('round-trips through parseSyncQuery', () => {
    for (const position of [1, 42, Number.MAX_SAFE_INTEGER]) {
      const pos = formatPos({ position });
      expect(pos).toBe(String(position));
      expect(parseSyncQuery({ pos }).pos).toEqual({ position });
    }
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 53])('refuses to format %d', (position) => {
    expect(() => formatPos({ position })).toThrow(RangeError);
  });
});
