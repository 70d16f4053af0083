/** A few client-server calls for building scenarios on a real homeserver in tests. */
export class TestClient {
  private txn = 0;

  constructor(
    readonly baseUrl: string,
    readonly accessToken: string,
    readonly userId: string,
  ) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.accessToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${String(res.status)} ${text}`);
    return JSON.parse(text) as T;
  }

  async createRoom(body: Record<string, unknown>): Promise<string> {
    const { room_id } = await this.call<{ room_id: string }>('POST', '/_matrix/client/v3/createRoom', body);
    return room_id;
  }

  async send(roomId: string, body: string, type = 'm.room.message'): Promise<string> {
    const { event_id } = await this.call<{ event_id: string }>(
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${type}/t${String(++this.txn)}-${String(Date.now())}`,
      { msgtype: 'm.text', body },
    );
    return event_id;
  }

  async state(
    roomId: string,
    type: string,
    stateKey: string,
    content: Record<string, unknown>,
  ): Promise<string> {
    const { event_id } = await this.call<{ event_id: string }>(
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/${type}/${encodeURIComponent(stateKey)}`,
      content,
    );
    return event_id;
  }

  join(roomId: string): Promise<unknown> {
    return this.call('POST', `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {});
  }

  invite(roomId: string, userId: string): Promise<unknown> {
    return this.call('POST', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`, {
      user_id: userId,
    });
  }

  leave(roomId: string): Promise<unknown> {
    return this.call('POST', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/leave`, {});
  }

  accountData(type: string, content: Record<string, unknown>): Promise<unknown> {
    return this.call(
      'PUT',
      `/_matrix/client/v3/user/${encodeURIComponent(this.userId)}/account_data/${type}`,
      content,
    );
  }

  sendToDevice(
    type: string,
    messages: Record<string, Record<string, Record<string, unknown>>>,
  ): Promise<unknown> {
    return this.call(
      'PUT',
      `/_matrix/client/v3/sendToDevice/${type}/td${String(++this.txn)}-${String(Date.now())}`,
      {
        messages,
      },
    );
  }

  /** A new device of the same user (password login), as a second client would have. */
  static async login(
    baseUrl: string,
    userId: string,
    password: string,
    deviceId?: string,
  ): Promise<TestClient & { deviceId: string }> {
    const res = await fetch(`${baseUrl}/_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: userId },
        password,
        ...(deviceId === undefined ? {} : { device_id: deviceId }),
      }),
    });
    if (!res.ok) throw new Error(`login → ${String(res.status)} ${await res.text()}`);
    const body = (await res.json()) as { access_token: string; device_id: string };
    return Object.assign(new TestClient(baseUrl, body.access_token, userId), { deviceId: body.device_id });
  }
}

export interface SlidingResponse {
  status: number;
  body: Record<string, unknown> & {
    pos?: string;
    lists?: Record<string, { count: number; ops?: { op: string; range: number[]; room_ids: string[] }[] }>;
    rooms?: Record<string, Record<string, unknown> & { timeline?: { event_id: string; type: string }[] }>;
    extensions?: Record<string, Record<string, unknown>>;
    errcode?: string;
  };
}

export const SLIDING_SYNC_PATH = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';

/** One MSC4186 request against `baseUrl` (the proxy or Synapse itself). */
export async function slidingSync(
  baseUrl: string,
  token: string | undefined,
  body: unknown,
  query: Record<string, string> = {},
): Promise<SlidingResponse> {
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${baseUrl}${SLIDING_SYNC_PATH}${qs === '' ? '' : `?${qs}`}`, {
    method: 'POST',
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      'content-type': 'application/json',
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as SlidingResponse['body'] };
}

export const STABLE_SYNC_PATH = '/_matrix/client/v4/sync';

/** One request to the stable API (MSC4186 as merged): `pos` and `timeout` belong in the body. */
export async function stableSync(baseUrl: string, token: string, body: unknown): Promise<SlidingResponse> {
  const res = await fetch(`${baseUrl}${STABLE_SYNC_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as SlidingResponse['body'] };
}
