import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '@gateway/util';
import { addressKey, jobKey, participantAddresses, type DelegationRecord } from './delegation-record';

/**
 * Where delegation records live: in this process, or in Redis so every replica and the next process
 * see them. Writes are compare-and-set on `version`; the lock keeps the homeserver/LiveKit calls of one
 * delegation from overlapping, even across replicas.
 */
export interface DelegationStore {
  /** Id of the record that currently owns the job key, if any. */
  idForKey(key: string): Promise<string | null>;
  /** Saves a new record as the job of its key; returns the record it displaced, if any. */
  replace(record: DelegationRecord): Promise<DelegationRecord | null>;
  get(id: string): Promise<DelegationRecord | null>;
  /** Writes `record` if the stored version is still `record.version - 1`. */
  update(record: DelegationRecord): Promise<boolean>;
  /** Deletes the record and its index entries if it is still at `version`. */
  remove(id: string, version: number): Promise<boolean>;
  /** Ids of the delegations a webhook about (room, identity) concerns. */
  findByAddress(room: string, identity: string): Promise<string[]>;
  listIds(): Promise<string[]>;
  count(): Promise<number>;
  /** A token if the lock was free; `null` if someone else holds it. Expires after `ttlMs`. */
  tryLock(id: string, ttlMs: number): Promise<string | null>;
  unlock(id: string, token: string): Promise<void>;
}

/** The in-process store: lost with the process, like lk-jwt-service without Redis. */
export class MemoryDelegationStore implements DelegationStore {
  private readonly records = new Map<string, DelegationRecord>();
  private readonly byKey = new Map<string, string>();
  private readonly byAddress = new Map<string, Set<string>>();
  private readonly locks = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly now: Clock = systemClock) {}

  idForKey(key: string): Promise<string | null> {
    return Promise.resolve(this.byKey.get(key) ?? null);
  }

  replace(record: DelegationRecord): Promise<DelegationRecord | null> {
    const key = jobKey(record.request);
    const oldId = this.byKey.get(key);
    const old = oldId === undefined ? undefined : this.records.get(oldId);
    if (old !== undefined) this.delete(old);
    this.records.set(record.id, structuredClone(record));
    this.byKey.set(key, record.id);
    for (const [room, identity] of participantAddresses(record.request)) {
      const k = addressKey(room, identity);
      const ids = this.byAddress.get(k) ?? new Set<string>();
      ids.add(record.id);
      this.byAddress.set(k, ids);
    }
    return Promise.resolve(old ?? null);
  }

  get(id: string): Promise<DelegationRecord | null> {
    const record = this.records.get(id);
    return Promise.resolve(record === undefined ? null : structuredClone(record));
  }

  update(record: DelegationRecord): Promise<boolean> {
    const current = this.records.get(record.id);
    if (current?.version !== record.version - 1) return Promise.resolve(false);
    this.records.set(record.id, structuredClone(record));
    return Promise.resolve(true);
  }

  remove(id: string, version: number): Promise<boolean> {
    const current = this.records.get(id);
    if (current?.version !== version) return Promise.resolve(false);
    this.delete(current);
    return Promise.resolve(true);
  }

  findByAddress(room: string, identity: string): Promise<string[]> {
    return Promise.resolve([...(this.byAddress.get(addressKey(room, identity)) ?? [])]);
  }

  listIds(): Promise<string[]> {
    return Promise.resolve([...this.records.keys()]);
  }

  count(): Promise<number> {
    return Promise.resolve(this.records.size);
  }

  tryLock(id: string, ttlMs: number): Promise<string | null> {
    const held = this.locks.get(id);
    if (held !== undefined && held.expiresAt > this.now()) return Promise.resolve(null);
    const token = randomUUID();
    this.locks.set(id, { token, expiresAt: this.now() + ttlMs });
    return Promise.resolve(token);
  }

  unlock(id: string, token: string): Promise<void> {
    if (this.locks.get(id)?.token === token) this.locks.delete(id);
    return Promise.resolve();
  }

  private delete(record: DelegationRecord): void {
    this.records.delete(record.id);
    const key = jobKey(record.request);
    if (this.byKey.get(key) === record.id) this.byKey.delete(key);
    for (const [room, identity] of participantAddresses(record.request)) {
      const k = addressKey(room, identity);
      const ids = this.byAddress.get(k);
      ids?.delete(record.id);
      if (ids?.size === 0) this.byAddress.delete(k);
    }
  }
}
