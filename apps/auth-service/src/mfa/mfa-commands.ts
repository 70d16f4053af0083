import { AuthStore } from '@gateway/auth-data';
import type { DataSource } from '@gateway/db';
import type { CliCommand, CliContext } from '@gateway/util';
import { localpartFromLoginIdentifier } from '../accounts/localpart';
import type { AuditDetails } from '../audit/audit-events';
import type { AuthConfig } from '../config';

type Ctx = CliContext<AuthConfig, DataSource>;
type Command = CliCommand<AuthConfig, DataSource>;

/** What a reset removed: the audit record's details and the printed summary. */
interface Reset {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

/** The counts of a reset, for the CLI's audit record (cli.ts `withAudit`). */
export function resetSummary(result: unknown): AuditDetails {
  if (typeof result !== 'object' || result === null || !('passkeys' in result)) return {};
  const reset = result as Reset;
  // Key names steer clear of the words safeDetails drops as secret-like (pass…, key, code).
  return {
    totp_removed: reset.totp,
    webauthn_removed: reset.passkeys,
    recovery_removed: reset.recoveryCodes,
  };
}

/**
 * `user reset-mfa <localpart>`: a user who lost their second factor gets in with the password alone
 * again — the TOTP factor, every passkey and the recovery codes are removed (MAS has no such command;
 * its admins edit the database). The user sets a factor up again from the account page.
 */
export const RESET_MFA_COMMAND: Command = {
  name: 'user reset-mfa',
  args: '<localpart>',
  summary: "remove a user's second factors (TOTP, passkeys, recovery codes)",
  run: async (ctx: Ctx) => {
    const given = ctx.args.positionals[0];
    if (given === undefined) return ctx.usage();
    const result = await ctx.withDatabase(async (dataSource): Promise<Reset | number> => {
      const store = new AuthStore(dataSource);
      const localpart = localpartFromLoginIdentifier(given.trim().toLowerCase(), ctx.config.homeserver);
      const user = localpart === null ? null : await store.users.findByLocalpart(localpart);
      if (user === null) return 1;
      return store.passkeys.removeAllFactors(user.id);
    });
    if (typeof result === 'number') {
      ctx.err(`no such user: ${given}`);
      return result;
    }
    const removed = [
      result.totp ? 'the authenticator app' : null,
      result.passkeys > 0 ? `${result.passkeys} ${result.passkeys === 1 ? 'passkey' : 'passkeys'}` : null,
      result.recoveryCodes > 0 ? `${result.recoveryCodes} recovery codes` : null,
    ].filter((r) => r !== null);
    ctx.out(
      removed.length === 0
        ? `@${localpartOf(given, ctx)}:${ctx.config.homeserver} had no second factor`
        : `removed from @${localpartOf(given, ctx)}:${ctx.config.homeserver}: ${removed.join(', ')}; the password alone signs in now`,
    );
    return 0;
  },
};

function localpartOf(given: string, ctx: Ctx): string {
  return localpartFromLoginIdentifier(given.trim().toLowerCase(), ctx.config.homeserver) ?? given;
}
