import {
  createRateLimiter,
  perPeriod,
  type Clock,
  type RateLimiter,
  type RedisScriptRunner,
} from '@gateway/util';
import type { AuthConfig } from '../config';

/**
 * Every rate limit of the auth service, counted in Redis so that all replicas share one count (a
 * guessing run spread over replicas gets no more attempts). Keys are client addresses as libs/server
 * derives them (`request.ip`, after the trusted-proxy rule) or account names. Null: that limit is off.
 *
 * The compat login layer (`compat/`) uses `signIn` for `/_matrix/client/v3/login`, answering a refusal
 * with `MatrixError.limitExceeded(retryAfterMs)`.
 */
export interface AuthLimits {
  signIn: SignInLimits;
  /** Self-service account registration (prompt=create), per client address. */
  registrationPerIp: RateLimiter | null;
  /** Dynamic client registration (`/oauth2/registration`), per client address. */
  clientRegistrationPerIp: RateLimiter | null;
  /** The token endpoint, per client address. */
  tokenPerIp: RateLimiter | null;
  /** Mails sent (verification codes, recovery links), per recipient address and per client address. */
  emails: EmailLimits;
}

export interface EmailLimits {
  perAddress: RateLimiter | null;
  perIp: RateLimiter | null;
}

export interface SignInLimits {
  perIp: RateLimiter;
  perAccount: RateLimiter;
}

/** The login window of AUTH_LOGIN_ATTEMPTS. */
const LOGIN_WINDOW_SECONDS = 600;

export function createAuthLimits(
  config: AuthConfig,
  redis: RedisScriptRunner,
  prefix: string,
  clock: Clock,
): AuthLimits {
  const limiter = (name: string, count: number, seconds: number): RateLimiter | null =>
    count === 0
      ? null
      : createRateLimiter(perPeriod(count, seconds), { redis, prefix: `${prefix}:rl:${name}:`, clock });
  return {
    signIn: {
      // An address may try for five accounts' worth; one account gets its own budget from anywhere.
      perIp: createRateLimiter(perPeriod(config.loginAttempts * 5, LOGIN_WINDOW_SECONDS), {
        redis,
        prefix: `${prefix}:rl:login-ip:`,
        clock,
      }),
      perAccount: createRateLimiter(perPeriod(config.loginAttempts, LOGIN_WINDOW_SECONDS), {
        redis,
        prefix: `${prefix}:rl:login-account:`,
        clock,
      }),
    },
    registrationPerIp: limiter('register-ip', config.registrationsPerHour, 3600),
    clientRegistrationPerIp: limiter('client-register-ip', config.clientRegistrationsPerHour, 3600),
    tokenPerIp: limiter('token-ip', config.tokenRequestsPerMinute, 60),
    emails: {
      perAddress: limiter('email-address', config.emailsPerHourPerAddress, 3600),
      perIp: limiter('email-ip', config.emailsPerHourPerIp, 3600),
    },
  };
}

/**
 * Takes one mail from the client address's budget, then from the recipient's (lower-cased): a refused
 * client leaves the address's budget alone, so nobody can use up another person's mails from one place
 * without also being limited there. The wait when refused, else null.
 */
export async function takeEmailSend(
  limits: EmailLimits,
  address: string,
  ip: string,
): Promise<number | null> {
  const byIp = await limits.perIp?.consume(ip);
  if (byIp?.allowed === false) return byIp.retryAfterMs;
  const byAddress = await limits.perAddress?.consume(address.toLowerCase());
  if (byAddress?.allowed === false) return byAddress.retryAfterMs;
  return null;
}

/** Whole seconds for `Retry-After`, never 0 for a refusal. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

/** "a minute", "3 minutes", "40 seconds": for the pages' messages. */
export function waitText(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return seconds === 1 ? 'a second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? 'a minute' : `${minutes} minutes`;
}
