import { Controller, Delete, Get, HttpCode, Param, UseFilters, UseGuards } from '@nestjs/common';
import type { ParticipantInfo, Room } from 'livekit-server-sdk';
import { AdminApiError, AdminApiErrorFilter, AdminGuard } from '@gateway/server';
import { classifyLiveKitFailure } from '../livekit/livekit-failure';
import { LiveKitRooms, participantState } from '../livekit/livekit-rooms';

/** The prefix of this service's admin API; served only on the internal listener (app-options.ts). */
export const ADMIN_PREFIX = '/admin/';

export interface RtcParticipant {
  identity: string;
  name: string;
  joined_at: string | null;
  state: string;
}

export interface RtcRoomResource {
  type: 'rtc-room';
  id: string;
  attributes: { created_at: string | null; num_participants: number; participants: RtcParticipant[] };
}

/** How many rooms' participants are asked for at once; LiveKit answers each from memory. */
const PARTICIPANT_LOOKUPS_AT_ONCE = 8;

/**
 * The live LiveKit rooms and their participants, for the admin dashboard's RTC page, and removing a
 * participant. This service holds the LiveKit key, so the dashboard asks here; callers need an admin
 * token of the auth service (AdminGuard), and the answers have the auth admin API's JSON:API-like shape.
 */
@Controller('admin/v1/rooms')
@UseGuards(AdminGuard)
@UseFilters(AdminApiErrorFilter)
export class RoomsAdminController {
  constructor(private readonly livekit: LiveKitRooms) {}

  @Get()
  async list(): Promise<{ data: RtcRoomResource[]; meta: { count: number } }> {
    const rooms = await this.ask(() => this.livekit.listRooms());
    rooms.sort((a, b) => byCodeUnits(a.name, b.name));
    const data: RtcRoomResource[] = [];
    for (let i = 0; i < rooms.length; i += PARTICIPANT_LOOKUPS_AT_ONCE) {
      const batch = rooms.slice(i, i + PARTICIPANT_LOOKUPS_AT_ONCE);
      const participants = await this.ask(() =>
        Promise.all(batch.map((r) => this.livekit.listParticipants(r.name))),
      );
      batch.forEach((room, j) => {
        const list = participants[j];
        // A room that closed between the two calls is no longer live.
        if (list !== null && list !== undefined) data.push(toResource(room, list));
      });
    }
    return { data, meta: { count: data.length } };
  }

  @Delete(':room/participants/:identity')
  @HttpCode(204)
  async remove(@Param('room') room: string, @Param('identity') identity: string): Promise<void> {
    const removed = await this.ask(() => this.livekit.kick(room, identity));
    if (!removed) throw new AdminApiError(404, `Participant ${identity} not found in room ${room}`);
  }

  /** A LiveKit failure as the admin API's error: 503 when it is out of capacity, else 502, with why. */
  private async ask<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const failure = classifyLiveKitFailure(err);
      throw new AdminApiError(failure.cause === 'exhausted' ? 503 : 502, `LiveKit: ${failure.text}`);
    }
  }
}

function toResource(room: Room, participants: ParticipantInfo[]): RtcRoomResource {
  return {
    type: 'rtc-room',
    id: room.name,
    attributes: {
      created_at: isoFromSeconds(room.creationTime),
      num_participants: participants.length,
      participants: participants
        .map((p) => ({
          identity: p.identity,
          name: p.name,
          joined_at: isoFromSeconds(p.joinedAt),
          state: participantState(p.state),
        }))
        .sort((a, b) => byCodeUnits(a.identity, b.identity)),
    },
  };
}

/** LiveKit's int64 seconds; 0 (unset) is null. */
function isoFromSeconds(seconds: bigint): string | null {
  return seconds > 0n ? new Date(Number(seconds) * 1000).toISOString() : null;
}

/** A stable order that does not depend on the process's locale. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
