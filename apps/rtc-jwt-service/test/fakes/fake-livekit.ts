// The fake LiveKit RoomService lives in @gateway/testing, shared with the container tier.
export { FakeLiveKit, LIVEKIT_FAULTS, type CreateRoomCall, type TwirpFault } from '@gateway/testing';
