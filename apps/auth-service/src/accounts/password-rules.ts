import type { AuthStore, User } from '@gateway/auth-data';
import type { AuthConfig } from '../config';
import { SynapseCallError } from '../synapse/synapse-call-error';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { checkPassword, checkPasswordLength, type PasswordProblem } from './password-policy';

export interface PasswordRulesOptions {
  /** The homeserver's server name, one of the words a password must not be built from. */
  serverName: string;
  /** zxcvbn score a new password needs (AUTH_PASSWORD_MINIMUM_COMPLEXITY; MAS: minimum_complexity). */
  minimumComplexity: number;
}

/**
 * The password policy (password-policy.ts) with what is known of the user filled in: every place a
 * password is set goes through here, so a password made of the user's own names is refused alike on
 * the registration page, the account page, recovery, the admin API and the CLI.
 */
export class PasswordRules {
  constructor(
    private readonly store: AuthStore,
    /** For the display name, which lives in Synapse; null where none is reachable. */
    private readonly synapse: SynapseMasClient | null,
    private readonly options: PasswordRulesOptions,
  ) {}

  get minimumComplexity(): number {
    return this.options.minimumComplexity;
  }

  /** What an operator's `skip_password_check` / `--ignore-complexity` leaves: the length window. */
  checkLength(password: string): PasswordProblem | null {
    return checkPasswordLength(password);
  }

  /** For an account about to be created: only its localpart is known. */
  checkNew(password: string, localpart: string): PasswordProblem | null {
    return checkPassword(
      password,
      { localpart, serverName: this.options.serverName },
      { minimumComplexity: this.options.minimumComplexity },
    );
  }

  /** For an existing account: its localpart, display name and email addresses. */
  async check(password: string, user: User): Promise<PasswordProblem | null> {
    const [displayName, emails] = await Promise.all([
      this.displayName(user.localpart),
      this.store.emails.listOf(user.id),
    ]);
    return checkPassword(
      password,
      {
        localpart: user.localpart,
        displayName,
        emails: emails.map((e) => e.email),
        serverName: this.options.serverName,
      },
      { minimumComplexity: this.options.minimumComplexity },
    );
  }

  private async displayName(localpart: string): Promise<string | null> {
    if (this.synapse === null) return null;
    try {
      return (await this.synapse.queryUser(localpart))?.displayName ?? null;
    } catch (err) {
      // Synapse being away must not stop a password change; the other names are still checked.
      if (err instanceof SynapseCallError) return null;
      throw err;
    }
  }
}

/** The rules as configured (AUTH_PASSWORD_MINIMUM_COMPLEXITY, AUTH_HOMESERVER), for the app and the CLI. */
export function passwordRules(
  store: AuthStore,
  synapse: SynapseMasClient | null,
  config: Pick<AuthConfig, 'homeserver' | 'passwordMinimumComplexity'>,
): PasswordRules {
  return new PasswordRules(store, synapse, {
    serverName: config.homeserver,
    minimumComplexity: config.passwordMinimumComplexity,
  });
}
