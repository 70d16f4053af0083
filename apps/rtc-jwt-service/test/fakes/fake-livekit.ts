// The fake LiveKit RoomService lives in @gateway/testing, shared with the container tier.
export { FakeLiveKit, type CreateRoomCall } from '@gateway/testing';
