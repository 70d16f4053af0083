import { ApiError, sendJson, type TokenSource } from './client';

/** A participant of a live LiveKit room, as the RTC service's admin API lists it. */
export interface RtcParticipant {
  identity: string;
  name: string;
  joined_at: string | null;
  state: string;
}

export interface RtcRoom {
  type: 'rtc-room';
  /** The LiveKit room name. */
  id: string;
  attributes: { created_at: string | null; num_participants: number; participants: RtcParticipant[] };
}

export interface RtcRooms {
  data: RtcRoom[];
  meta: { count: number };
}

/** A refusal of the RTC service (or of the dashboard server's proxy to it). */
export class RtcApiError extends ApiError {
  constructor(status: number, titles: string[]) {
    super(status, titles);
    this.name = 'RtcApiError';
  }
}

/**
 * The rtc-jwt-service's admin API (apps/rtc-jwt-service/README.md "Admin API"), reached through the
 * dashboard server's `/api/rtc/v1/` proxy with the person's own admin token. `configured` is false when
 * the server has no DASHBOARD_RTC_ADMIN_URL.
 */
export class RtcApi {
  constructor(
    private readonly token: TokenSource,
    readonly configured: boolean,
  ) {}

  async rooms(): Promise<RtcRooms> {
    return (await sendJson(this.token, 'GET', '/api/rtc/v1/rooms', undefined, RtcApiError)) as RtcRooms;
  }

  async removeParticipant(room: string, identity: string): Promise<void> {
    const url = `/api/rtc/v1/rooms/${encodeURIComponent(room)}/participants/${encodeURIComponent(identity)}`;
    await sendJson(this.token, 'DELETE', url, undefined, RtcApiError);
  }
}
