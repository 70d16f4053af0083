import { hashSync } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from './passwords';

describe('password hashes', () => {
  it('verifies bcrypt hashes as Synapse writes them ($2b$) and the $2a$/$2y$ variants', async () => {
    const synapse = hashSync('imported password', 4);
    expect(synapse).toMatch(/^\$2b\$04\$/);
    expect(await verifyPassword(synapse, 'imported password')).toBe(true);
    expect(await verifyPassword(synapse, 'imported passwore')).toBe(false);
    for (const variant of ['$2a$', '$2y$']) {
      expect(await verifyPassword(synapse.replace('$2b$', variant), 'imported password')).toBe(true);
    }
  });

  it('asks for a rehash of bcrypt hashes only', async () => {
    expect(needsRehash(hashSync('pw', 4))).toBe(true);
    expect(needsRehash(await hashPassword('pw'))).toBe(false);
    expect(needsRehash(null)).toBe(false);
  });

  it('still verifies argon2id and refuses garbage without throwing', async () => {
    const argon = await hashPassword('own password');
    expect(await verifyPassword(argon, 'own password')).toBe(true);
    expect(await verifyPassword('$2b$04$garbage', 'x')).toBe(false);
    expect(await verifyPassword(null, 'x')).toBe(false);
  });
});
