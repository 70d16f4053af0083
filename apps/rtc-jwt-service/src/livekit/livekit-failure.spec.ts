import { ServerError } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { classifyLiveKitFailure } from './livekit-failure';

const twirp = (status: number, code?: string): ServerError =>
  new ServerError('Twirp', 'msg', status, code, undefined);

describe(classifyLiveKitFailure.name, () => {
  it('tells a refused key from a full SFU from any other answer', () => {
    expect(classifyLiveKitFailure(twirp(401, 'unauthenticated')).cause).toBe('key-refused');
    expect(classifyLiveKitFailure(twirp(403, 'permission_denied')).cause).toBe('key-refused');
    expect(classifyLiveKitFailure(twirp(429, 'resource_exhausted')).cause).toBe('exhausted');
    expect(classifyLiveKitFailure(twirp(503, 'unavailable')).cause).toBe('exhausted');
    expect(classifyLiveKitFailure(twirp(500, 'internal'))).toEqual({
      cause: 'other',
      text: 'the SFU answered 500 internal: see the LiveKit server log',
    });
    expect(classifyLiveKitFailure(twirp(502)).text).toBe('the SFU answered 502: see the LiveKit server log');
  });

  it('calls no answer at all unreachable, with the reason but no address', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:7880'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyLiveKitFailure(refused)).toEqual({
      cause: 'unreachable',
      text: 'the SFU is unreachable (ECONNREFUSED): check LIVEKIT_URL and that LiveKit is running',
    });
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyLiveKitFailure(timeout).text).toBe(
      'the SFU is unreachable (timed out): check LIVEKIT_URL and that LiveKit is running',
    );
  });
});
