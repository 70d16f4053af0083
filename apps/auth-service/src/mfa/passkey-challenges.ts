import type { Redis } from 'ioredis';

/** How long a page's WebAuthn challenge may be answered. */
export const PASSKEY_CHALLENGE_MS = 5 * 60_000;

/**
 * Outstanding WebAuthn challenges and what each was issued for (`register:<user>`, or
 * `register:<user> interaction:<uid>` inside a sign-in; `second-factor:<user>`; `sign-in`). Taking one
 * removes it, so an answer is accepted once even from an authenticator that keeps no counter.
 */
export interface PasskeyChallenges {
  put(challenge: string, purpose: string): Promise<void>;
  take(challenge: string): Promise<string | null>;
}

/** In Redis, shared by the replicas, under the service's key prefix; they expire unanswered. */
export function redisPasskeyChallenges(redis: Redis, prefix: string): PasskeyChallenges {
  const key = (challenge: string): string => `${prefix}:passkey-challenge:${challenge}`;
  return {
    put: async (challenge, purpose) => {
      await redis.set(key(challenge), purpose, 'PX', PASSKEY_CHALLENGE_MS);
    },
    take: (challenge) => redis.getdel(key(challenge)),
  };
}
