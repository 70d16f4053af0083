import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isJsonObject } from '@gateway/util';
import {
  PASS_BATCH,
  trackedEntryKey,
  type PassLease,
  type TrackedParticipant,
  type TrackedStore,
} from './tracked-store';

// KEYS: entry. ARGV: issuedAt. Deletes the entry only if it is still the one of that token.
const DELETE_IF_ISSUED = `
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).issuedAt == tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) return 1 end
return 0`;

// KEYS: lease. ARGV: token, ttl (ms).
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/**
 * The tracked participants in Redis, shared by every replica and surviving restarts. Layout, under
 * `${prefix}:`:
 *   p:<JSON [room, identity]>   the entry as JSON, with its own expiry (PX)
 *   pass                        the periodic pass's lease (token, PX): one replica's pass per interval
 * No index: a pass walks the entries with SCAN, so nothing ever loads them all at once and an expired
 * entry leaves no trace.
 */
export class RedisTrackedStore implements TrackedStore {
  private readonly match: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    // SCAN MATCH is a glob: the prefix is matched literally.
    this.match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:p:*`;
  }

  async put(participant: TrackedParticipant, ttlMs: number): Promise<void> {
    const { room, identity, roomId, userId, issuedAt } = participant;
    await this.redis.set(
      this.key(room, identity),
      JSON.stringify({ room, identity, roomId, userId, issuedAt }),
      'PX',
      Math.max(1, Math.round(ttlMs)),
    );
  }

  async get(room: string, identity: string): Promise<TrackedParticipant | null> {
    return parseTracked(await this.redis.get(this.key(room, identity)));
  }

  async keep(room: string, identity: string, ttlMs: number): Promise<void> {
    await this.redis.pexpire(this.key(room, identity), Math.max(1, Math.round(ttlMs)));
  }

  async delete(room: string, identity: string, issuedAt?: number): Promise<void> {
    if (issuedAt === undefined) await this.redis.del(this.key(room, identity));
    else await this.redis.eval(DELETE_IF_ISSUED, 1, this.key(room, identity), String(issuedAt));
  }

  async *batches(): AsyncIterable<TrackedParticipant[]> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.match, 'COUNT', PASS_BATCH);
      cursor = next;
      if (keys.length === 0) continue;
      // Entries that expired between SCAN and MGET come back null and are skipped.
      const batch = (await this.redis.mget(...keys))
        .map(parseTracked)
        .filter((p): p is TrackedParticipant => p !== null);
      if (batch.length > 0) yield batch;
    } while (cursor !== '0');
  }

  async acquirePass(ttlMs: number): Promise<PassLease | null> {
    const token = randomUUID();
    const key = `${this.prefix}:pass`;
    const ok = await this.redis.set(key, token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
    if (ok !== 'OK') return null;
    return {
      renew: async (ms) =>
        (await this.redis.eval(RENEW, 1, key, token, String(Math.max(1, Math.round(ms))))) === 1,
    };
  }

  async count(): Promise<number> {
    let n = 0;
    for await (const batch of this.batches()) n += batch.length;
    return n;
  }

  private key(room: string, identity: string): string {
    return `${this.prefix}:p:${trackedEntryKey(room, identity)}`;
  }
}

/**
 * Reads an entry back. Redis is shared and outlives code versions, so anything that does not look like
 * an entry is treated as absent rather than trusted.
 */
function parseTracked(json: string | null): TrackedParticipant | null {
  if (json === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isJsonObject(value)) return null;
  const { room, identity, roomId, userId, issuedAt } = value;
  return typeof room === 'string' &&
    typeof identity === 'string' &&
    typeof roomId === 'string' &&
    typeof userId === 'string' &&
    typeof issuedAt === 'number'
    ? { room, identity, roomId, userId, issuedAt }
    : null;
}
