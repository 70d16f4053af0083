import { STABLE_SYNC_PATH } from './matrix-client';

/** What the client keeps of a room, merged from responses as MSC4186 "Room results" says. */
export interface ClientRoom {
  name?: string | null;
  membership?: string;
  lists: string[];
  timeline: { event_id: string; type: string; content: Record<string, unknown> }[];
  state: Map<string, { content?: unknown }>;
}

type Body = Record<string, unknown>;

/**
 * A minimal client of the stable sliding sync API (MSC4186 as merged), written from the proposal: it
 * keeps `pos`, restarts its connection on `M_UNKNOWN_POS`, replaces a room's data on `initial` and
 * merges otherwise, and grows its list's `range` until it covers the list's `count` (the proposal's
 * "Example usage"). No npm client speaks `/_matrix/client/v4/sync` yet (matrix-js-sdk 43 uses the
 * unstable path), so this is what drives the stable endpoint end to end.
 */
export class StableSyncClient {
  pos: string | undefined;
  readonly rooms = new Map<string, ClientRoom>();
  count = 0;
  range: [number, number] = [0, 0];
  restarts = 0;
  private subscriptions: Record<string, Body> = {};

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly pageSize = 2,
  ) {
    this.range = [0, pageSize - 1];
  }

  subscribe(roomId: string, timelineLimit: number): void {
    this.subscriptions[roomId] = { timeline_limit: timelineLimit, required_state: { include: [{}] } };
  }

  /** One request; returns the raw answer after applying it. */
  async sync(timeout = 0): Promise<Body> {
    const body: Body = {
      conn_id: 'stable-client',
      ...(this.pos === undefined ? {} : { pos: this.pos, timeout }),
      lists: {
        all: {
          range: this.range,
          timeline_limit: 1,
          required_state: {
            include: [
              { type: 'm.room.name', state_key: '' },
              { type: 'm.room.create', state_key: '' },
            ],
            lazy_members: true,
          },
        },
      },
      room_subscriptions: this.subscriptions,
    };
    const res = await fetch(`${this.baseUrl}${STABLE_SYNC_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as Body;
    if (res.status === 400 && answer['errcode'] === 'M_UNKNOWN_POS') {
      // The proposal: the server expired the connection; start again from scratch.
      this.pos = undefined;
      this.rooms.clear();
      this.restarts++;
      return this.sync(timeout);
    }
    if (res.status !== 200) throw new Error(`/v4/sync → ${String(res.status)} ${JSON.stringify(answer)}`);
    this.apply(answer);
    return answer;
  }

  /** Grows the range page by page until the whole list has been seen (the proposal's "Example usage"). */
  async syncUntilComplete(): Promise<void> {
    await this.sync();
    while (this.range[1] + 1 < this.count) {
      this.range = [0, this.range[1] + this.pageSize];
      await this.sync();
    }
  }

  private apply(answer: Body): void {
    this.pos = answer['pos'] as string;
    const lists = (answer['lists'] ?? {}) as Record<string, { count: number }>;
    if (lists['all'] !== undefined) this.count = lists['all'].count;
    for (const [roomId, data] of Object.entries((answer['rooms'] ?? {}) as Record<string, Body>)) {
      const old = this.rooms.get(roomId);
      const room: ClientRoom =
        data['initial'] === true || old === undefined ? { lists: [], timeline: [], state: new Map() } : old;
      if ('name' in data) room.name = data['name'] as string | null;
      if ('membership' in data) room.membership = data['membership'] as string;
      room.lists = (data['lists'] as string[] | undefined) ?? [];
      for (const event of (data['required_state'] ?? []) as Body[])
        room.state.set(`${String(event['type'])}|${String(event['state_key'])}`, {
          content: event['content'],
        });
      const timeline = (data['timeline'] ?? []) as ClientRoom['timeline'];
      room.timeline =
        data['expanded_timeline'] === true || data['limited'] === true
          ? timeline
          : [...room.timeline, ...timeline];
      this.rooms.set(roomId, room);
    }
  }
}
