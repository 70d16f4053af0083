/**
 * Operator commands: `node dist/apps/auth-service/cli.js <command>`, configured by the same
 * environment as the service.
 *   migrate                                       apply pending database migrations
 *   config check                                  parse and validate the configuration
 *   user add <localpart> --password <pw> [--admin]  create a password user (and provision it in Synapse)
 *   user set-password <localpart> --password <pw>   replace a user's password
 */
import { parseArgs } from 'node:util';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, AuthStore } from '@gateway/auth-data';
import { ConfigError } from '@gateway/config';
import { runMigrations, withDataSource, type DataSource } from '@gateway/db';
import { Accounts } from './accounts/accounts';
import { loadAuthConfig, type AuthConfig } from './config';
import { loadOrCreateSigningKeys } from './oidc/signing-keys';
import { SynapseMasClient } from './synapse/synapse-mas-client';

const USAGE = `usage: cli.js migrate | config check | user add <localpart> --password <password> [--admin] | user set-password <localpart> --password <password>`;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function withDatabase<T>(config: AuthConfig, fn: (dataSource: DataSource) => Promise<T>): Promise<T> {
  return withDataSource(
    {
      url: config.databaseUrl,
      entities: AUTH_ENTITIES,
      migrations: AUTH_MIGRATIONS,
      poolSize: 2,
      applicationName: 'auth-service-cli',
    },
    fn,
  );
}

function withStore<T>(config: AuthConfig, fn: (store: AuthStore) => Promise<T>): Promise<T> {
  return withDatabase(config, (dataSource) => fn(new AuthStore(dataSource)));
}

async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  const config = loadAuthConfig(process.env);
  if (command === 'config' && sub === 'check') {
    loadOrCreateSigningKeys(config.signingKeyFile);
    out(
      `configuration OK: issuer ${config.issuer}, homeserver ${config.homeserver}, Synapse at ${config.synapseUrl}`,
    );
    return 0;
  }
  if (command === 'migrate') {
    const applied = await withDatabase(config, runMigrations);
    out(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
    return 0;
  }
  if (command === 'user' && sub === 'add') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { password: { type: 'string' }, admin: { type: 'boolean', default: false } },
    });
    const localpart = positionals[0];
    if (localpart === undefined || values.password === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const password = values.password;
    const result = await withStore(config, (store) =>
      new Accounts(store, config.homeserver).register(localpart, password, values.admin),
    );
    if (!result.ok) {
      process.stderr.write(`cannot add ${localpart}: ${result.reason}\n`);
      return 1;
    }
    out(`created @${result.user.localpart}:${config.homeserver}${result.user.admin ? ' (admin)' : ''}`);
    try {
      await new SynapseMasClient({ baseUrl: config.synapseUrl, secret: config.synapseSecret }).provisionUser({
        localpart: result.user.localpart,
      });
      out('provisioned in Synapse');
    } catch (err) {
      // Not fatal: the user is provisioned at their first sign-in anyway.
      out(
        `not yet provisioned in Synapse (${err instanceof Error ? err.message : String(err)}); it will be at first sign-in`,
      );
    }
    return 0;
  }
  if (command === 'user' && sub === 'set-password') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { password: { type: 'string' } },
    });
    const localpart = positionals[0];
    const password = values.password;
    if (localpart === undefined || password === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const result = await withStore(config, (store) =>
      new Accounts(store, config.homeserver).setPassword(localpart, password),
    );
    if (!result.ok) {
      process.stderr.write(`cannot set the password of ${localpart}: ${result.reason}\n`);
      return 1;
    }
    out(`password of @${result.user.localpart}:${config.homeserver} changed`);
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      err instanceof ConfigError
        ? `auth-service: ${err.message}\n`
        : `auth-service: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
