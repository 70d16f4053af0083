/** What a committed poller batch touched: long-polls of those users and rooms re-check. */
export interface WakeMessage {
  seq: number;
  rooms: string[];
  users: string[];
  /**
   * Present when the users' changes that a room list reads were only their rows of these rooms
   * (membership, heroes, counts; not account data): the room-index cache then refreshes those rooms
   * instead of dropping the users' lists. Absent (or from a replica that predates it): anything may have.
   */
  userRooms?: string[];
  /**
   * SHA-256 (hex) of tokens the homeserver rejected: every replica drops them from its cache and wakes
   * the users' long-polls, which then answer 401. Such a message carries no stream position.
   */
  invalidTokens?: string[];
}

/** Carries wake messages to every replica (Redis pub/sub) or within one process. */
export interface WakeTransport {
  publish(message: WakeMessage): Promise<void>;
  subscribe(handler: (message: WakeMessage) => void): Promise<void>;
  close(): Promise<void>;
}

export class InProcessTransport implements WakeTransport {
  private readonly handlers: ((m: WakeMessage) => void)[] = [];

  publish(message: WakeMessage): Promise<void> {
    for (const h of this.handlers) h(message);
    return Promise.resolve();
  }

  subscribe(handler: (message: WakeMessage) => void): Promise<void> {
    this.handlers.push(handler);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.handlers.length = 0;
    return Promise.resolve();
  }
}
