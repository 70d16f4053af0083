import type { Redis } from 'ioredis';
import type { WakeMessage, WakeTransport } from './wake-bus';

const CHANNEL = 'syncv3:new';

/**
 * Wake messages over one Redis channel for all replicas: one subscription per replica, not per user, so
 * a thousand waiting clients cost nothing in Redis. A lost message costs latency, never data: the
 * waiter's own deadline and the gap detector (WaiterIndex) bound the delay.
 */
export class RedisTransport implements WakeTransport {
  private readonly subscriber: Redis;
  private readonly publisher: Redis;

  constructor(redis: Redis) {
    // Publishing fails fast while Redis is away (no offline queue): the gap detector covers the loss,
    // and a poller never waits on Redis to store data.
    this.publisher = redis.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    this.publisher.on('error', () => undefined);
    this.subscriber = redis.duplicate();
    // A subscriber that cannot reach Redis must not keep requests waiting on it.
    this.subscriber.on('error', () => undefined);
  }

  async publish(message: WakeMessage): Promise<void> {
    await this.publisher.publish(CHANNEL, JSON.stringify(message));
  }

  async subscribe(handler: (message: WakeMessage) => void): Promise<void> {
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== CHANNEL) return;
      const parsed = parseMessage(raw);
      if (parsed !== null) handler(parsed);
    });
    await this.subscriber.subscribe(CHANNEL);
  }

  close(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
    return Promise.resolve();
  }
}

function parseMessage(raw: string): WakeMessage | null {
  try {
    const value = JSON.parse(raw) as Partial<WakeMessage>;
    if (typeof value.seq !== 'number' || !Array.isArray(value.rooms) || !Array.isArray(value.users))
      return null;
    const message: WakeMessage = {
      seq: value.seq,
      rooms: value.rooms.map(String),
      users: value.users.map(String),
    };
    if (Array.isArray(value.userRooms)) message.userRooms = value.userRooms.map(String);
    if (Array.isArray(value.invalidTokens)) message.invalidTokens = value.invalidTokens.map(String);
    return message;
  } catch {
    return null;
  }
}
