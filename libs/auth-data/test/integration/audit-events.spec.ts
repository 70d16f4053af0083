import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '@gateway/db';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore, type NewAuditEvent } from '../../src';

const T0 = new Date('2026-01-01T00:00:00Z');
const later = (s: number) => new Date(T0.getTime() + s * 1000);
const event = (over: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
  type: 'user.login.succeeded',
  outcome: 'succeeded',
  actor: 'u1',
  actorKind: 'user',
  subject: 'u1',
  ip: '192.0.2.1',
  userAgent: 'test',
  details: {},
  ...over,
});

describe('audit events on Postgres', () => {
  let db: TestDatabase;
  let database: Database;
  let store: AuthStore;
  beforeEach(async () => {
    db = await createTestDatabase();
    database = new Database({
      url: db.url,
      entities: AUTH_ENTITIES,
      migrations: AUTH_MIGRATIONS,
      migrateOnConnect: true,
    });
    await database.connected;
    store = new AuthStore(database.dataSource);
  });
  afterEach(async () => {
    await database.close();
    await db.drop();
  });

  it('lists in time order with filters and cursors, and finds one by id', async () => {
    const a = await store.auditEvents.record(event(), later(0));
    const b = await store.auditEvents.record(event({ type: 'token.revoked', details: { n: 1 } }), later(10));
    const c = await store.auditEvents.record(event({ actor: 'admin', subject: 'u2' }), later(20));
    const all = await store.auditEvents.listPage({}, { first: 10 });
    expect(all.items.map((e) => e.id)).toEqual([a.id, b.id, c.id]);
    expect(await store.auditEvents.findById(b.id)).toMatchObject({
      type: 'token.revoked',
      details: { n: 1 },
    });
    expect(await store.auditEvents.findById('not-an-id')).toBeNull();
    expect((await store.auditEvents.listPage({ actor: 'admin' }, {})).items.map((e) => e.id)).toEqual([c.id]);
    expect((await store.auditEvents.listPage({ subject: 'u1' }, {})).items.map((e) => e.id)).toEqual([
      a.id,
      b.id,
    ]);
    expect((await store.auditEvents.listPage({ type: 'token.revoked' }, {})).items.map((e) => e.id)).toEqual([
      b.id,
    ]);
    expect(await store.auditEvents.count({ since: later(10), until: later(20) })).toBe(1);
    const second = await store.auditEvents.listPage({}, { first: 1, after: a.id });
    expect(second).toMatchObject({ hasNext: true, hasPrevious: true });
    expect(second.items.map((e) => e.id)).toEqual([b.id]);
  });

  it('prunes only what is older than the cutoff', async () => {
    await store.auditEvents.record(event(), later(0));
    const kept = await store.auditEvents.record(event(), later(100));
    expect(await store.auditEvents.pruneBefore(later(50))).toBe(1);
    expect((await store.auditEvents.listPage({}, {})).items.map((e) => e.id)).toEqual([kept.id]);
  });
});
