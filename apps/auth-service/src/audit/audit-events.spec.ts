import { describe, expect, it } from 'vitest';
import { actorColumn, AUDIT_EVENT_TYPES, safeDetails } from './audit-events';

describe('audit details', () => {
  it('keeps names, counts and flags', () => {
    expect(safeDetails({ operation: 'lockUser', status: 200, erase: false, client_id: null })).toEqual({
      operation: 'lockUser',
      status: 200,
      erase: false,
      client_id: null,
    });
  });

  it('drops secret-named keys and token-shaped values, and caps sizes', () => {
    const details = safeDetails({
      password: 'hunter2',
      new_password: 'x',
      access_token: 'y',
      code: 'z',
      client_secret: 's',
      note: 'mat_0123456789abcdefghij_0abcde',
      header: 'Bearer abcdefghijklmnop',
      long: 'a'.repeat(500),
    });
    expect(details).toEqual({ long: 'a'.repeat(200) });
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${String(i)}`, i]));
    expect(Object.keys(safeDetails(many))).toHaveLength(16);
    expect(safeDetails({ n: Number.NaN })).toEqual({});
  });

  it('names actors by id or kind, and the types are unique', () => {
    expect(actorColumn({ kind: 'user', id: 'u' })).toBe('u');
    expect(actorColumn({ kind: 'client', id: 'ops' })).toBe('ops');
    expect(actorColumn({ kind: 'cli' })).toBe('cli');
    expect(new Set(AUDIT_EVENT_TYPES).size).toBe(AUDIT_EVENT_TYPES.length);
  });
});
