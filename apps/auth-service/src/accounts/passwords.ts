import { hash, verify } from '@node-rs/argon2';
import { verify as verifyBcrypt } from '@node-rs/bcrypt';

// OWASP's argon2id minimum (19 MiB, 2 passes) — the library's own defaults, stated so they cannot drift.
const OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id: a const enum, unusable under isolatedModules */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};
// Verifying against this when the user does not exist keeps "no such user" as slow as "wrong password".
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$lwDK+YzAub3de+L0w7d9Cw$J9YeFD29YKU7Mk3YGgzDYPSJZZUqUUvtIkbw0//Qs9o';
// Synapse's hashes (imported by `import-synapse`): bcrypt in its $2a$/$2b$/$2y$ variants.
const BCRYPT = /^\$2[aby]\$\d{2}\$/;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  try {
    if (passwordHash !== null && BCRYPT.test(passwordHash)) {
      // Synapse hashes `password + password_config.pepper`; import-synapse refuses a Synapse with a
      // pepper, so the hashes it brings are of the password alone.
      return await verifyBcrypt(password, passwordHash);
    }
    return await verify(passwordHash ?? DUMMY_HASH, password);
  } catch {
    return false;
  }
}

/**
 * Whether a hash that just verified should be replaced by a fresh argon2id one: imported bcrypt hashes
 * are, at the first sign-in that proves the password.
 */
export function needsRehash(passwordHash: string | null): boolean {
  return passwordHash !== null && BCRYPT.test(passwordHash);
}
