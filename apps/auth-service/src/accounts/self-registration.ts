import type { AuthStore, RegistrationTokenProblem } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import type { UnavailableReason } from '../synapse/synapse-mas-wire';
import type { Accounts, RegistrationResult } from './accounts';
import { checkLocalpart, LOCALPART_PROBLEM_MESSAGES } from './localpart';
import { PASSWORD_PROBLEM_MESSAGES } from './password-policy';

export interface SelfRegistrationOptions {
  homeserver: string;
  /** MAS's `account.registration_token_required`: a valid registration token is needed to register. */
  tokenRequired: boolean;
}

export const REGISTRATION_TOKEN_MESSAGES = {
  missing: 'Enter the registration token you were given.',
  unknown: 'This registration token is not valid.',
  revoked: 'This registration token has been revoked.',
  expired: 'This registration token has expired.',
  exhausted: 'This registration token has been used up.',
} as const satisfies Record<RegistrationTokenProblem | 'missing', string>;

const UNAVAILABLE_MESSAGES = {
  in_use: 'That username is taken.',
  invalid: 'The homeserver does not accept this username.',
  exclusive: 'This username is reserved by the homeserver.',
} as const satisfies Record<UnavailableReason, string>;

/**
 * Registration from the registration page, as MAS does it: our localpart rules first (precise
 * messages), then Synapse's `is_localpart_available` (its users, its rules, appservice namespaces),
 * then the registration token when required — used atomically, and given back if the account cannot be
 * created after all.
 */
export class SelfRegistration {
  constructor(
    private readonly store: AuthStore,
    private readonly accounts: Accounts,
    private readonly synapse: SynapseMasClient,
    private readonly clock: Clock,
    private readonly options: SelfRegistrationOptions,
  ) {}

  get tokenRequired(): boolean {
    return this.options.tokenRequired;
  }

  /**
   * Registration after an upstream sign-in (the upstream link page): the same username checks, no
   * password and, as in MAS, no registration token and no AUTH_REGISTRATION_ENABLED: the provider is
   * the way in.
   */
  async registerUpstream(username: string): Promise<RegistrationResult> {
    const problem = await this.unavailable(username.trim().toLowerCase());
    if (problem !== null) return { ok: false, reason: problem };
    return this.accounts.registerWithoutPassword(username);
  }

  /** Why a localpart cannot be registered (our rules, then Synapse's), or null when it can. */
  async unavailable(localpart: string): Promise<string | null> {
    const localpartProblem = checkLocalpart(localpart, this.options.homeserver);
    if (localpartProblem !== null) return LOCALPART_PROBLEM_MESSAGES[localpartProblem];
    if (await this.store.users.findByLocalpart(localpart)) return UNAVAILABLE_MESSAGES.in_use;
    const availability = await this.synapse.isLocalpartAvailable(localpart);
    return availability.available ? null : UNAVAILABLE_MESSAGES[availability.reason];
  }

  async register(username: string, password: string, token: string | undefined): Promise<RegistrationResult> {
    const localpart = username.trim().toLowerCase();
    const localpartProblem = checkLocalpart(localpart, this.options.homeserver);
    if (localpartProblem !== null) return { ok: false, reason: LOCALPART_PROBLEM_MESSAGES[localpartProblem] };
    const passwordProblem = this.accounts.passwords.checkNew(password, localpart);
    if (passwordProblem !== null) return { ok: false, reason: PASSWORD_PROBLEM_MESSAGES[passwordProblem] };
    if (await this.store.users.findByLocalpart(localpart))
      return { ok: false, reason: UNAVAILABLE_MESSAGES.in_use };
    const availability = await this.synapse.isLocalpartAvailable(localpart);
    if (!availability.available) return { ok: false, reason: UNAVAILABLE_MESSAGES[availability.reason] };
    let usedTokenId: string | null = null;
    if (this.options.tokenRequired) {
      const given = token?.trim() ?? '';
      if (given === '') return { ok: false, reason: REGISTRATION_TOKEN_MESSAGES.missing };
      const use = await this.store.registrationTokens.use(given, new Date(this.clock()));
      if (!use.ok) return { ok: false, reason: REGISTRATION_TOKEN_MESSAGES[use.problem] };
      usedTokenId = use.token.id;
    }
    const result = await this.accounts.register(localpart, password);
    if (!result.ok && usedTokenId !== null) await this.store.registrationTokens.release(usedTokenId);
    return result;
  }
}
