/**
 * Operator commands: `node dist/apps/auth-service/cli.js <command>`, configured by the same
 * environment as the service.
 *   migrate                                       apply pending database migrations
 *   config check                                  parse and validate the configuration
 *   user add <localpart> --password <pw> [--admin] [--ignore-password-complexity]
 *                                                 create a password user (and provision it in Synapse)
 *   user set-password <localpart> --password <pw> [--ignore-complexity]  replace a user's password
 *   import-synapse --synapse-config … --synapse-database-url …  import a Synapse (README: migration runbook)
 *   user lock|unlock|deactivate|reactivate|…       the account lifecycle (accounts/lifecycle-commands.ts)
 *   registration-token add|list|revoke|unrevoke    registration tokens (accounts/lifecycle-commands.ts)
 *   user reset-mfa <localpart>                     remove a user's second factors (mfa/mfa-commands.ts)
 */
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '@gateway/auth-data';
import { runMigrations, withDataSource, type DataSource } from '@gateway/db';
import { cliMain, migrateCommand, type CliCommand, type CliContext } from '@gateway/util';
import { Accounts } from './accounts/accounts';
import { passwordRules } from './accounts/password-rules';
import { LIFECYCLE_COMMANDS, REGISTRATION_TOKEN_COMMANDS } from './accounts/lifecycle-commands';
import type { AuditDetails, CliEventType } from './audit/audit-events';
import { audited, type CliAudit } from './audit/cli-audit';
import { loadAuthConfig, type AuthConfig } from './config';
import { RESET_MFA_COMMAND, resetSummary } from './mfa/mfa-commands';
import { loadOrCreateSigningKeys } from './oidc/signing-keys';
import { SynapseMasClient } from './synapse/synapse-mas-client';
import { importSynapseCommand } from './synapse-import/import-command';
import type { ImportReport } from './synapse-import/synapse-import';

type Ctx = CliContext<AuthConfig, DataSource>;
type Command = CliCommand<AuthConfig, DataSource>;

/** The commands that change something, each with its audit event (audit/cli-audit.ts: fail-closed). */
const AUDITED: Readonly<Record<string, CliEventType>> = {
  'user add': 'cli.user.created',
  'user set-password': 'cli.user.password.set',
  'user lock': 'cli.user.locked',
  'user unlock': 'cli.user.unlocked',
  'user deactivate': 'cli.user.deactivated',
  'user reactivate': 'cli.user.reactivated',
  'user set-display-name': 'cli.user.displayname.set',
  'user kill-sessions': 'cli.user.sessions.killed',
  'user promote-admin': 'cli.user.admin.set',
  'user demote-admin': 'cli.user.admin.set',
  'user issue-compat-token': 'cli.user.compat-token.issued',
  'user provision-all': 'cli.users.provisioned',
  'user reset-mfa': 'cli.user.mfa.reset',
  'registration-token add': 'cli.registration-token.created',
  'registration-token revoke': 'cli.registration-token.revoked',
  'registration-token unrevoke': 'cli.registration-token.unrevoked',
  'import-synapse': 'import.synapse',
};

/** The import's one summary: rows written per kind, and whether it was a dry run or a resumed one. */
function importSummary(result: unknown): AuditDetails {
  if (typeof result !== 'object' || result === null || !('kinds' in result)) return {};
  const report = result as ImportReport;
  const details: Record<string, number | boolean> = { dry_run: report.dryRun, resumed: report.resumed };
  for (const [kind, counts] of Object.entries(report.kinds)) details[`${kind}_written`] = counts.written;
  return details;
}

function withAudit(command: Command): Command {
  const type = AUDITED[command.name];
  if (type === undefined) return command;
  const audit: CliAudit = { type };
  // A user command's first argument is the localpart; a registration token's is the token (a secret).
  if (command.name.startsWith('user ') && command.name !== 'user provision-all')
    audit.subject = (ctx) => ctx.args.positionals[0] ?? null;
  if (command.name === 'import-synapse') audit.summarize = importSummary;
  if (command.name === 'user reset-mfa') audit.summarize = resetSummary;
  return audited(command, audit);
}

function withStore<T>(ctx: Ctx, fn: (store: AuthStore) => Promise<T>): Promise<T> {
  return ctx.withDatabase((dataSource) => fn(new AuthStore(dataSource)));
}

function synapseClient(config: AuthConfig): SynapseMasClient {
  return new SynapseMasClient({ baseUrl: config.synapseUrl, secret: config.synapseSecret });
}

/** The service's password rules, display name from Synapse included. */
function accountsOf(store: AuthStore, config: AuthConfig): Accounts {
  return new Accounts(store, config.homeserver, passwordRules(store, synapseClient(config), config));
}

async function addUser(ctx: Ctx): Promise<number> {
  const { config, out, err } = ctx;
  const localpart = ctx.args.positionals[0];
  const password = ctx.args.values['password'];
  if (localpart === undefined || typeof password !== 'string') return ctx.usage();
  const admin = ctx.args.values['admin'] === true;
  const skipCheck = ctx.args.values['ignore-password-complexity'] === true;
  const result = await withStore(ctx, (store) =>
    accountsOf(store, config).register(localpart, password, admin, { skipCheck }),
  );
  if (!result.ok) {
    err(`cannot add ${localpart}: ${result.reason}`);
    return 1;
  }
  out(`created @${result.user.localpart}:${config.homeserver}${result.user.admin ? ' (admin)' : ''}`);
  try {
    await synapseClient(config).provisionUser({
      localpart: result.user.localpart,
    });
    out('provisioned in Synapse');
  } catch (e) {
    // Not fatal: the user is provisioned at their first sign-in anyway.
    out(
      `not yet provisioned in Synapse (${e instanceof Error ? e.message : String(e)}); it will be at first sign-in`,
    );
  }
  return 0;
}

async function setPassword(ctx: Ctx): Promise<number> {
  const { config, out, err } = ctx;
  const localpart = ctx.args.positionals[0];
  const password = ctx.args.values['password'];
  if (localpart === undefined || typeof password !== 'string') return ctx.usage();
  const skipCheck = ctx.args.values['ignore-complexity'] === true;
  const result = await withStore(ctx, (store) =>
    accountsOf(store, config).setPassword(localpart, password, { skipCheck }),
  );
  if (!result.ok) {
    err(`cannot set the password of ${localpart}: ${result.reason}`);
    return 1;
  }
  out(`password of @${result.user.localpart}:${config.homeserver} changed`);
  return 0;
}

cliMain<AuthConfig, DataSource>({
  name: 'auth-service',
  loadConfig: loadAuthConfig,
  withDatabase: (config, fn) =>
    withDataSource(
      {
        url: config.databaseUrl,
        entities: AUTH_ENTITIES,
        migrations: AUTH_MIGRATIONS,
        poolSize: 2,
        applicationName: 'auth-service-cli',
      },
      fn,
    ),
  commands: (
    [
      migrateCommand(runMigrations),
      {
        name: 'config check',
        summary: 'parse and validate the configuration',
        run: ({ config, out }) => {
          loadOrCreateSigningKeys(config.signingKeyFile);
          out(
            `configuration OK: issuer ${config.issuer}, homeserver ${config.homeserver}, Synapse at ${config.synapseUrl}`,
          );
          return 0;
        },
      },
      {
        name: 'user add',
        args: '<localpart> --password <password> [--admin] [--ignore-password-complexity]',
        summary: 'create a password user (and provision it in Synapse)',
        options: {
          password: { type: 'string' },
          admin: { type: 'boolean', default: false },
          // MAS's register-user flag: the length window still applies, the strength rules do not.
          'ignore-password-complexity': { type: 'boolean', default: false },
        },
        run: addUser,
      },
      {
        name: 'user set-password',
        args: '<localpart> --password <password> [--ignore-complexity]',
        summary: "replace a user's password",
        // MAS's set-password flag.
        options: { password: { type: 'string' }, 'ignore-complexity': { type: 'boolean', default: false } },
        run: setPassword,
      },
      importSynapseCommand,
      ...LIFECYCLE_COMMANDS,
      ...REGISTRATION_TOKEN_COMMANDS,
      RESET_MFA_COMMAND,
    ] satisfies Command[]
  ).map(withAudit),
});
