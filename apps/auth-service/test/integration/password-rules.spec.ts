import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore, type User } from '@gateway/auth-data';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { passwordRules } from '../../src/accounts/password-rules';
import { SynapseMasClient } from '../../src/synapse/synapse-mas-client';

// The password rules with what Postgres knows of the user: their email addresses count as guessable
// words, and a Synapse that cannot be reached (for the display name) stops no password change.
describe('password rules on Postgres', () => {
  let db: TestDatabase;
  let database: Database;
  let store: AuthStore;
  let user: User;
  // Nothing listens on port 9: every display-name lookup fails as a Synapse outage does.
  const synapseDown = new SynapseMasClient({
    baseUrl: 'http://127.0.0.1:9',
    secret: 'password-rules-secret-0123',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    database = new Database({
      url: db.url,
      entities: AUTH_ENTITIES,
      migrations: AUTH_MIGRATIONS,
      migrateOnConnect: true,
    });
    await database.connected;
    store = new AuthStore(database.dataSource);
    user = (await store.users.create({ localpart: 'qk', passwordHash: null }))!;
    expect(
      await store.emails.addConfirmed(user.id, 'quillfeather.zanzibar@mailbox.example', new Date()),
    ).not.toBeNull();
  });
  afterAll(async () => {
    await database.close();
    await db.drop();
  });

  it("refuses a password made of the user's email address, with Synapse away", async () => {
    const rules = passwordRules(store, synapseDown, {
      homeserver: 'example.com',
      passwordMinimumComplexity: 3,
    });
    expect(await rules.check('quillfeatherzanzibar', user)).toBe('too_weak');
    // The same password for someone else (no such address) is strong.
    expect(rules.checkNew('quillfeatherzanzibar', 'someone')).toBeNull();
    expect(await rules.check('correct horse battery staple', user)).toBeNull();
  });

  it('honours the configured minimum complexity and keeps the length window when skipped', async () => {
    const lenient = passwordRules(store, null, { homeserver: 'example.com', passwordMinimumComplexity: 0 });
    expect(await lenient.check('quillfeatherzanzibar', user)).toBeNull();
    expect(lenient.minimumComplexity).toBe(0);
    expect(lenient.checkLength('short')).toBe('too_short');
    expect(lenient.checkLength('qwertyuiopasdfghjkl')).toBeNull();
  });
});
