import { AuthStore, registrationTokenProblem, type RegistrationToken, type User } from '@gateway/auth-data';
import type { DataSource } from '@gateway/db';
import { systemClock, type CliCommand, type CliContext } from '@gateway/util';
import type { AuthConfig } from '../config';
import { SynapseCallError } from '../synapse/synapse-call-error';
import { SynapseMasClient } from '../synapse/synapse-mas-client';
import { AccountLifecycle } from './account-lifecycle';
import { localpartFromLoginIdentifier } from './localpart';
import { newRegistrationToken } from '../token-format/random-string';

/**
 * The operator's account lifecycle and registration-token commands (MAS's `mas-cli manage …`), added to
 * cli.ts. Each works on our database and then on Synapse; when Synapse fails, the local change is kept,
 * the failure is printed and the exit code is 1 (every command can simply be run again).
 */
type Ctx = CliContext<AuthConfig, DataSource>;
type Command = CliCommand<AuthConfig, DataSource>;

interface Tools {
  store: AuthStore;
  lifecycle: AccountLifecycle;
  synapse: SynapseMasClient;
}

function withTools(ctx: Ctx, fn: (tools: Tools) => Promise<number>): Promise<number> {
  return ctx.withDatabase(async (dataSource) => {
    const store = new AuthStore(dataSource);
    const synapse = new SynapseMasClient({
      baseUrl: ctx.config.synapseUrl,
      secret: ctx.config.synapseSecret,
    });
    try {
      return await fn({ store, synapse, lifecycle: new AccountLifecycle(store, synapse, systemClock) });
    } catch (err) {
      if (!(err instanceof SynapseCallError)) throw err;
      ctx.err(`changed here, but Synapse did not follow: ${err.message}; run the command again`);
      return 1;
    }
  });
}

/** The command's user, from a localpart or a full user id; prints why not and returns null. */
async function findUser(ctx: Ctx, store: AuthStore): Promise<User | null> {
  const given = ctx.args.positionals[0] ?? '';
  const localpart = localpartFromLoginIdentifier(given.trim().toLowerCase(), ctx.config.homeserver);
  const user = localpart === null ? null : await store.users.findByLocalpart(localpart);
  if (!user) ctx.err(`no such user: ${given}`);
  return user;
}

function mxid(ctx: Ctx, user: User): string {
  return `@${user.localpart}:${ctx.config.homeserver}`;
}

/** A command on one existing user: `<localpart>` first, usage when missing, exit 1 when unknown. */
function userCommand(
  name: string,
  summary: string,
  run: (ctx: Ctx, tools: Tools, user: User) => Promise<number>,
  extra: Pick<Command, 'options'> & { args?: string } = {},
): Command {
  return {
    name: `user ${name}`,
    args: `<localpart>${extra.args === undefined ? '' : ` ${extra.args}`}`,
    summary,
    ...(extra.options === undefined ? {} : { options: extra.options }),
    run: (ctx) => {
      if (ctx.args.positionals[0] === undefined) return ctx.usage();
      return withTools(ctx, async (tools) => {
        const user = await findUser(ctx, tools.store);
        return user === null ? 1 : run(ctx, tools, user);
      });
    },
  };
}

/** A positive whole number of seconds from an option, or null (printed) when it is not one. */
function seconds(ctx: Ctx, option: string): number | undefined | null {
  const value = ctx.args.values[option];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n <= 0) {
    ctx.err(`--${option} must be a whole number of seconds above 0`);
    return null;
  }
  return n;
}

const DEVICE_ID = /^[A-Za-z0-9._~!$&'()*+,;=:@/-]{1,255}$/;

export const LIFECYCLE_COMMANDS: readonly Command[] = [
  userCommand(
    'lock',
    'lock a user: no sign-in, tokens refused (Synapse too); undone by unlock',
    async (ctx, t, user) => {
      await t.lifecycle.lock(user);
      ctx.out(`locked ${mxid(ctx, user)}`);
      return 0;
    },
  ),
  userCommand('unlock', 'unlock a user', async (ctx, t, user) => {
    await t.lifecycle.unlock(user);
    ctx.out(`unlocked ${mxid(ctx, user)}`);
    return 0;
  }),
  userCommand(
    'deactivate',
    'deactivate a user: sessions end, Synapse deactivates (and with --erase erases) the account',
    async (ctx, t, user) => {
      const erase = ctx.args.values['erase'] === true;
      await t.lifecycle.deactivate(user, erase);
      ctx.out(`deactivated ${mxid(ctx, user)}${erase ? ' and erased its data in Synapse' : ''}`);
      return 0;
    },
    { args: '[--erase]', options: { erase: { type: 'boolean', default: false } } },
  ),
  userCommand(
    'reactivate',
    'reactivate a deactivated user (ended sessions stay ended)',
    async (ctx, t, user) => {
      await t.lifecycle.reactivate(user);
      ctx.out(`reactivated ${mxid(ctx, user)}`);
      return 0;
    },
  ),
  userCommand(
    'set-display-name',
    "set a user's display name in Synapse (an empty name removes it)",
    async (ctx, t, user) => {
      const name = ctx.args.positionals[1];
      if (name === undefined) return ctx.usage();
      await t.lifecycle.setDisplayName(user, name);
      ctx.out(
        name === '' ? `display name of ${mxid(ctx, user)} removed` : `display name of ${mxid(ctx, user)} set`,
      );
      return 0;
    },
    { args: '<display name>' },
  ),
  userCommand(
    'kill-sessions',
    "end a user's OAuth, compat and browser sessions and delete their devices in Synapse (personal tokens stay)",
    async (ctx, t, user) => {
      const ended = await t.lifecycle.endAllSessions(user);
      ctx.out(
        `ended ${String(ended.oauth)} OAuth and ${String(ended.compat)} compat sessions of ${mxid(ctx, user)}, ` +
          'browser sessions signed out, their devices deleted in Synapse; personal access tokens kept',
      );
      return 0;
    },
  ),
  userCommand(
    'promote-admin',
    'make a user an administrator (may be granted admin scopes)',
    async (ctx, t, user) => {
      await t.lifecycle.setAdmin(user, true);
      ctx.out(`${mxid(ctx, user)} is now an administrator`);
      return 0;
    },
  ),
  userCommand('demote-admin', 'make a user no longer an administrator', async (ctx, t, user) => {
    await t.lifecycle.setAdmin(user, false);
    ctx.out(`${mxid(ctx, user)} is no longer an administrator`);
    return 0;
  }),
  userCommand(
    'issue-compat-token',
    'issue a compatibility access token (mct_) for a device; printed once',
    async (ctx, t, user) => {
      const device = ctx.args.values['device-id'];
      if (device !== undefined && (typeof device !== 'string' || !DEVICE_ID.test(device))) {
        ctx.err('--device-id must be 1-255 URL-safe characters');
        return 2;
      }
      const expiresIn = seconds(ctx, 'expires-in');
      if (expiresIn === null) return 2;
      if (user.deactivatedAt !== null || user.lockedAt !== null) {
        ctx.err(
          `${mxid(ctx, user)} is ${user.deactivatedAt !== null ? 'deactivated' : 'locked'}; no token issued`,
        );
        return 1;
      }
      const issued = await t.lifecycle.issueCompatToken(user, {
        ...(typeof device === 'string' ? { deviceId: device } : {}),
        ...(expiresIn === undefined ? {} : { expiresInSeconds: expiresIn }),
      });
      ctx.err(
        `compatibility token for ${mxid(ctx, user)}, device ${issued.deviceId}, ` +
          `${issued.expiresAt === null ? 'never expires' : `expires ${issued.expiresAt.toISOString()}`}:`,
      );
      // The token alone on stdout, so `TOKEN=$(cli.js user issue-compat-token …)` works.
      ctx.out(issued.accessToken);
      return 0;
    },
    {
      args: '[--device-id <id>] [--expires-in <seconds>]',
      options: { 'device-id': { type: 'string' }, 'expires-in': { type: 'string' } },
    },
  ),
  {
    name: 'user provision-all',
    summary: 'provision every user that is not deactivated into Synapse again',
    run: (ctx) =>
      withTools(ctx, async (t) => {
        const total = await t.store.users.count({});
        const progress = ctx.progress('provisioning', total);
        const report = await t.lifecycle.provisionAll(() => {
          progress.tick();
        });
        progress.done();
        for (const f of report.failed)
          ctx.err(`failed: @${f.localpart}:${ctx.config.homeserver}: ${f.reason}`);
        ctx.out(
          `provisioned ${String(report.provisioned)} users, skipped ${String(report.skipped)} deactivated, ` +
            `${String(report.failed.length)} failed`,
        );
        return report.failed.length === 0 ? 0 : 1;
      }),
  },
];

function describeToken(t: RegistrationToken, now: Date): string {
  const problem = registrationTokenProblem(t, now);
  const uses = `${String(t.timesUsed)}/${t.usageLimit === null ? 'unlimited' : String(t.usageLimit)} uses`;
  const expiry = t.expiresAt === null ? 'no expiry' : `expires ${t.expiresAt.toISOString()}`;
  return `${t.token}  ${problem ?? 'valid'}  ${uses}  ${expiry}`;
}

function tokenCommand(name: 'revoke' | 'unrevoke', summary: string): Command {
  return {
    name: `registration-token ${name}`,
    args: '<token>',
    summary,
    run: (ctx) => {
      const token = ctx.args.positionals[0];
      if (token === undefined) return ctx.usage();
      return ctx.withDatabase(async (dataSource) => {
        const store = new AuthStore(dataSource);
        const changed = await store.registrationTokens.setRevoked(
          token,
          name === 'revoke' ? new Date() : null,
        );
        if (!changed) {
          ctx.err(`no such registration token: ${token}`);
          return 1;
        }
        ctx.out(`${name}d: ${describeToken(changed, new Date())}`);
        return 0;
      });
    },
  };
}

export const REGISTRATION_TOKEN_COMMANDS: readonly Command[] = [
  {
    name: 'registration-token add',
    args: '[--token <token>] [--uses <n>] [--expires-in <seconds>]',
    summary: 'create a registration token (random unless --token; unlimited uses unless --uses)',
    options: { token: { type: 'string' }, uses: { type: 'string' }, 'expires-in': { type: 'string' } },
    run: (ctx) => {
      const given = ctx.args.values['token'];
      if (given !== undefined && (typeof given !== 'string' || !/^[A-Za-z0-9._~-]{1,64}$/.test(given))) {
        ctx.err('--token must be 1-64 characters of A-Z a-z 0-9 . _ ~ -');
        return 2;
      }
      const uses = ctx.args.values['uses'];
      const usageLimit = uses === undefined ? null : Number(uses);
      if (usageLimit !== null && (!Number.isInteger(usageLimit) || usageLimit <= 0)) {
        ctx.err('--uses must be a whole number above 0');
        return 2;
      }
      const expiresIn = seconds(ctx, 'expires-in');
      if (expiresIn === null) return 2;
      const token = typeof given === 'string' ? given : newRegistrationToken();
      return ctx.withDatabase(async (dataSource) => {
        const now = new Date();
        const created = await new AuthStore(dataSource).registrationTokens.create({
          token,
          usageLimit,
          expiresAt: expiresIn === undefined ? null : new Date(now.getTime() + expiresIn * 1000),
        });
        if (!created) {
          ctx.err(`registration token ${token} already exists`);
          return 1;
        }
        ctx.out(`created: ${describeToken(created, now)}`);
        return 0;
      });
    },
  },
  {
    name: 'registration-token list',
    summary: 'list registration tokens with their state and uses',
    run: (ctx) =>
      ctx.withDatabase(async (dataSource) => {
        const tokens = await new AuthStore(dataSource).registrationTokens.list();
        const now = new Date();
        if (tokens.length === 0) ctx.out('no registration tokens');
        for (const t of tokens) ctx.out(describeToken(t, now));
        return 0;
      }),
  },
  tokenCommand('revoke', 'revoke a registration token (it can no longer be used)'),
  tokenCommand('unrevoke', 'make a revoked registration token usable again'),
];
