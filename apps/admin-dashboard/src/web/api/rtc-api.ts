import { JsonClient, type TokenSource } from './client';

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

/**
 * The rtc-jwt-service's admin API (apps/rtc-jwt-service/README.md "Admin API"), reached through the
 * dashboard server's `/api/rtc/v1/` with the person's own admin token. `configured` is false when the
 * server has no DASHBOARD_RTC_ADMIN_URL (/config.json says so): the page then asks nothing.
 */
export class RtcApi {
  private readonly client: JsonClient;

  constructor(
    token: TokenSource,
    readonly configured: boolean,
  ) {
    this.client = new JsonClient(token, '/api/rtc/v1');
  }

  async rooms(): Promise<RtcRooms> {
    return (await this.client.request('GET', '/rooms')) as RtcRooms;
  }

  async removeParticipant(room: string, identity: string): Promise<void> {
    await this.client.request(
      'DELETE',
      `/rooms/${encodeURIComponent(room)}/participants/${encodeURIComponent(identity)}`,
    );
  }
}
