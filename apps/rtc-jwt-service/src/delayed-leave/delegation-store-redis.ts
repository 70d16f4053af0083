import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { addressKey, jobKey, participantAddresses, type DelegationRecord } from './delegation-record';
import type { DelegationStore } from './delegation-store';
import { parseRecord } from './parse-record';

/**
 * Delegation records in Redis, shared by every replica and surviving restarts. Layout, all under
 * `${prefix}:rtc-dl:`:
 *   job:<id>        hash {v: version, json: record, key: job key, who: JSON list of address-set keys}
 *   ids             set of live ids (resume, activeCount)
 *   keys            hash job key JSON [room, identity] → id (one job per key)
 *   who:<address>   set of ids a webhook for that [room, identity] concerns
 *   lock:<id>       processing lock (token, PX)
 * Each multi-key change is one Lua script, so the indexes never disagree with the records.
 */

// KEYS: keys hash, ids set, new job hash. ARGV: job key, id, version, json, who list, job key prefix.
const REPLACE = `
local oldId = redis.call('HGET', KEYS[1], ARGV[1])
local oldJson = false
if oldId and oldId ~= ARGV[2] then
  local oldKey = ARGV[6] .. oldId
  oldJson = redis.call('HGET', oldKey, 'json')
  local who = redis.call('HGET', oldKey, 'who')
  if who then for _, k in ipairs(cjson.decode(who)) do redis.call('SREM', k, oldId) end end
  redis.call('DEL', oldKey)
  redis.call('SREM', KEYS[2], oldId)
end
redis.call('HSET', KEYS[3], 'v', ARGV[3], 'json', ARGV[4], 'who', ARGV[5], 'key', ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[2])
for _, k in ipairs(cjson.decode(ARGV[5])) do redis.call('SADD', k, ARGV[2]) end
return oldJson`;

// KEYS: job hash. ARGV: expected version, new version, json.
const UPDATE = `
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'json', ARGV[3])
return 1`;

// KEYS: job hash, keys hash, ids set. ARGV: id, expected version.
const REMOVE = `
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[2] then return 0 end
local who = redis.call('HGET', KEYS[1], 'who')
if who then for _, k in ipairs(cjson.decode(who)) do redis.call('SREM', k, ARGV[1]) end end
local key = redis.call('HGET', KEYS[1], 'key')
if key and redis.call('HGET', KEYS[2], key) == ARGV[1] then redis.call('HDEL', KEYS[2], key) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return 1`;

// KEYS: lock. ARGV: token.
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

export class RedisDelegationStore implements DelegationStore {
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.base = `${prefix}:rtc-dl:`;
  }

  idForKey(key: string): Promise<string | null> {
    return this.redis.hget(this.k('keys'), key);
  }

  async replace(record: DelegationRecord): Promise<DelegationRecord | null> {
    const who = participantAddresses(record.request).map(([room, identity]) => this.whoKey(room, identity));
    const old = await this.redis.eval(
      REPLACE,
      3,
      this.k('keys'),
      this.k('ids'),
      this.jobHash(record.id),
      jobKey(record.request),
      record.id,
      String(record.version),
      JSON.stringify(record),
      JSON.stringify(who),
      this.k('job:'),
    );
    return typeof old === 'string' ? parseRecord(old) : null;
  }

  async get(id: string): Promise<DelegationRecord | null> {
    const json = await this.redis.hget(this.jobHash(id), 'json');
    return json === null ? null : parseRecord(json);
  }

  async update(record: DelegationRecord): Promise<boolean> {
    const written = await this.redis.eval(
      UPDATE,
      1,
      this.jobHash(record.id),
      String(record.version - 1),
      String(record.version),
      JSON.stringify(record),
    );
    return written === 1;
  }

  async remove(id: string, version: number): Promise<boolean> {
    const removed = await this.redis.eval(
      REMOVE,
      3,
      this.jobHash(id),
      this.k('keys'),
      this.k('ids'),
      id,
      String(version),
    );
    return removed === 1;
  }

  findByAddress(room: string, identity: string): Promise<string[]> {
    return this.redis.smembers(this.whoKey(room, identity));
  }

  listIds(): Promise<string[]> {
    return this.redis.smembers(this.k('ids'));
  }

  count(): Promise<number> {
    return this.redis.scard(this.k('ids'));
  }

  async tryLock(id: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    const ok = await this.redis.set(this.k(`lock:${id}`), token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
    return ok === 'OK' ? token : null;
  }

  async unlock(id: string, token: string): Promise<void> {
    await this.redis.eval(UNLOCK, 1, this.k(`lock:${id}`), token);
  }

  private k(suffix: string): string {
    return this.base + suffix;
  }

  private jobHash(id: string): string {
    return this.k(`job:${id}`);
  }

  private whoKey(room: string, identity: string): string {
    return this.k(`who:${addressKey(room, identity)}`);
  }
}
