import type { MigrationInterface, QueryRunner } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDataSource, Database, runMigrations } from '../../src';
import { createTestDatabase, type TestDatabase } from '@gateway/testing';

class CreateCounter1700000000000 implements MigrationInterface {
  name = 'CreateCounter1700000000000';
  async up(q: QueryRunner): Promise<void> {
    // Slow on purpose, so concurrent runners really overlap.
    await q.query('SELECT pg_sleep(0.2)');
    await q.query('CREATE TABLE counter (n int NOT NULL)');
    await q.query('INSERT INTO counter VALUES (1)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE counter');
  }
}

describe('runMigrations', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('applies each migration once when several replicas start at the same moment', async () => {
    const sources = [1, 2, 3].map(() =>
      createDataSource({ url: db.url, entities: [], migrations: [CreateCounter1700000000000] }),
    );
    await Promise.all(sources.map((s) => s.initialize()));
    const applied = await Promise.all(sources.map((s) => runMigrations(s)));
    expect(applied.flat()).toEqual(['CreateCounter1700000000000']);
    expect(await sources[0]!.query('SELECT count(*)::int AS n FROM counter')).toEqual([{ n: 1 }]);
    await Promise.all(sources.map((s) => s.destroy()));
  });

  it('migrates with a pool of one connection (the one holding the lock runs them)', async () => {
    const source = createDataSource({
      url: db.url,
      entities: [],
      migrations: [CreateCounter1700000000000],
      poolSize: 1,
    });
    await source.initialize();
    try {
      expect(await runMigrations(source)).toEqual(['CreateCounter1700000000000']);
      expect(await source.query('SELECT count(*)::int AS n FROM counter')).toEqual([{ n: 1 }]);
      expect(await runMigrations(source)).toEqual([]);
    } finally {
      await source.destroy();
    }
  });
});

describe('Database', () => {
  it('starts without Postgres, reports not ready, and connects and migrates once it exists', async () => {
    const db = await createTestDatabase();
    await db.drop(); // the name is now free: the database does not exist yet
    const database = new Database({
      url: db.url,
      entities: [],
      migrations: [CreateCounter1700000000000],
      migrateOnConnect: true,
    });
    try {
      await expect(database.ping()).rejects.toThrow('not connected');
      const admin = await createTestDatabase(); // any connection to create the missing database with
      const { Client } = await import('pg');
      const client = new Client({ connectionString: admin.url });
      await client.connect();
      await client.query(`CREATE DATABASE "${db.name}"`);
      await client.end();
      await admin.drop();
      await database.connected;
      await expect(database.ping()).resolves.toBeUndefined();
      expect(await database.dataSource.query('SELECT n FROM counter')).toEqual([{ n: 1 }]);
    } finally {
      await database.close();
      await db.drop();
    }
  });
});
