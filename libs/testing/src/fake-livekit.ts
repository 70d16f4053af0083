import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessToken, TokenVerifier } from 'livekit-server-sdk';

/** A Twirp error answer, as LiveKit writes it (`{code, msg}` with the code's HTTP status). */
export interface TwirpFault {
  status: number;
  code: string;
  msg: string;
}

/** Faults LiveKit really answers with (livekit/livekit `pkg/service/errors.go`, Twirp's status table). */
export const LIVEKIT_FAULTS = {
  internal: { status: 500, code: 'internal', msg: 'boom' },
  roomLimit: { status: 429, code: 'resource_exhausted', msg: 'room limit exceeded' },
  noNode: { status: 503, code: 'unavailable', msg: 'no available nodes' },
} as const satisfies Record<string, TwirpFault>;

export interface CreateRoomCall {
  name: string;
  emptyTimeout: number;
  departureTimeout: number;
  maxParticipants: number;
}

/** What the fake knows of a participant beyond its room and identity. */
interface ParticipantDetails {
  name: string;
  joinedAt: number;
}

/**
 * A LiveKit RoomService speaking Twirp JSON, since no LiveKit server runs here. It checks every call's
 * bearer token the way LiveKit does (signed with the API secret, `iss` = key, the needed grant), records
 * CreateRoom calls, and serves the rooms and participants the test adds or removes (ListRooms,
 * ListParticipants, GetParticipant, RemoveParticipant).
 */
export class FakeLiveKit {
  readonly createRoomCalls: CreateRoomCall[] = [];
  readonly participants = new Set<string>(); // `${room}\n${identity}`
  /** Live rooms: name → creation time in seconds. CreateRoom and join() open one. */
  readonly rooms = new Map<string, number>();
  private readonly details = new Map<string, ParticipantDetails>();
  /** RemoveParticipant calls, in order, whether or not the participant was present. */
  readonly removed: { room: string; identity: string }[] = [];
  /** Answers every call to the named RoomService method (after the token check) with this fault. */
  readonly faults = new Map<string, TwirpFault>();
  private server: Server | undefined;
  private readonly verifier: TokenVerifier;

  constructor(
    readonly key = 'devkey',
    readonly secret = 'secret-secret-secret-secret-secret',
  ) {
    this.verifier = new TokenVerifier(key, secret);
  }

  get url(): string {
    const port = (this.server?.address() as AddressInfo | null)?.port ?? 0;
    return `ws://127.0.0.1:${port}`;
  }

  get httpUrl(): string {
    return this.url.replace('ws://', 'http://');
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  join(room: string, identity: string, name = ''): void {
    const now = Math.floor(Date.now() / 1000);
    if (!this.rooms.has(room)) this.rooms.set(room, now);
    this.participants.add(`${room}\n${identity}`);
    this.details.set(`${room}\n${identity}`, { name, joinedAt: now });
  }

  leave(room: string, identity: string): void {
    this.participants.delete(`${room}\n${identity}`);
    this.details.delete(`${room}\n${identity}`);
  }

  private participantsOf(room: string): { identity: string; name: string; joinedAt: number }[] {
    return [...this.participants]
      .map((key) => key.split('\n') as [string, string])
      .filter(([r]) => r === room)
      .map(([, identity]) => {
        const d = this.details.get(`${room}\n${identity}`);
        return { identity, name: d?.name ?? '', joinedAt: d?.joinedAt ?? 0 };
      });
  }

  /** A webhook as LiveKit signs it: a JWT whose `sha256` claim is the body's digest. */
  async webhook(
    event: 'participant_joined' | 'participant_left' | 'participant_connection_aborted',
    room: string,
    identity: string,
    disconnectReason = 'CLIENT_INITIATED',
  ): Promise<{ body: string; authorization: string }> {
    const body = JSON.stringify({
      event,
      id: `EV_${Math.random().toString(36).slice(2)}`,
      createdAt: String(Math.floor(Date.now() / 1000)),
      room: { name: room, sid: 'RM_fake' },
      participant: {
        identity,
        sid: 'PA_fake',
        ...(event === 'participant_joined' ? {} : { disconnectReason }),
      },
    });
    return { body, authorization: await this.sign(body) };
  }

  /** The Authorization header LiveKit sends with a webhook body (any bytes: the fuzz tier signs its own). */
  async sign(body: string | Uint8Array): Promise<string> {
    const token = new AccessToken(this.key, this.secret);
    token.sha256 = createHash('sha256').update(body).digest('base64');
    return token.toJwt();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const reply = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(payload));
    };
    const auth = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    let grants;
    try {
      grants = await this.verifier.verify(auth);
    } catch {
      reply(401, { code: 'unauthenticated', msg: 'invalid token' });
      return;
    }
    const method = req.url?.replace('/twirp/livekit.RoomService/', '');
    const fault = method === undefined ? undefined : this.faults.get(method);
    if (fault !== undefined) {
      reply(fault.status, { code: fault.code, msg: fault.msg });
      return;
    }
    if (method === 'CreateRoom' && grants.video?.roomCreate === true) {
      this.createRoomCalls.push({
        name: String(body['name']),
        emptyTimeout: Number(body['emptyTimeout'] ?? 0),
        departureTimeout: Number(body['departureTimeout'] ?? 0),
        maxParticipants: Number(body['maxParticipants'] ?? 0),
      });
      if (!this.rooms.has(String(body['name'])))
        this.rooms.set(String(body['name']), Math.floor(Date.now() / 1000));
      reply(200, { sid: 'RM_fake', name: body['name'] });
    } else if (method === 'GetParticipant' && grants.video?.roomAdmin === true) {
      const present = this.participants.has(`${String(body['room'])}\n${String(body['identity'])}`);
      if (present) reply(200, { sid: 'PA_fake', identity: body['identity'], state: 'ACTIVE' });
      else reply(404, { code: 'not_found', msg: 'participant not found' });
    } else if (method === 'RemoveParticipant' && grants.video?.roomAdmin === true) {
      const room = String(body['room']);
      const identity = String(body['identity']);
      this.removed.push({ room, identity });
      if (this.participants.delete(`${room}\n${identity}`)) {
        this.details.delete(`${room}\n${identity}`);
        reply(200, {});
      } else reply(404, { code: 'not_found', msg: 'participant not found' });
    } else if (method === 'ListRooms' && grants.video?.roomList === true) {
      const names = Array.isArray(body['names']) ? (body['names'] as unknown[]).map(String) : [];
      const rooms = [...this.rooms]
        .filter(([name]) => names.length === 0 || names.includes(name))
        .map(([name, created]) => ({
          sid: `RM_${name}`,
          name,
          // protobuf JSON writes int64 as a string.
          creationTime: String(created),
          numParticipants: this.participantsOf(name).length,
        }));
      reply(200, { rooms });
    } else if (method === 'ListParticipants' && grants.video?.roomAdmin === true) {
      const room = String(body['room']);
      if (!this.rooms.has(room)) {
        reply(404, { code: 'not_found', msg: 'requested room does not exist' });
        return;
      }
      const participants = this.participantsOf(room).map((p) => ({
        sid: `PA_${p.identity}`,
        identity: p.identity,
        name: p.name,
        state: 'ACTIVE',
        joinedAt: String(p.joinedAt),
      }));
      reply(200, { participants });
    } else {
      reply(403, { code: 'permission_denied', msg: 'missing grant' });
    }
  }
}
