import { hash, verify } from '@node-rs/argon2';

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

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash ?? DUMMY_HASH, password);
  } catch {
    return false;
  }
}
