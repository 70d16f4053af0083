import { MFA_POLICIES } from './mfa/mfa-policy';
import { parseUpstreamConfig, type UpstreamConfig } from './upstream/upstream-config';
import {
  anyUrl,
  bindAddress,
  cidrList,
  commaList,
  ConfigError,
  httpUrl,
  logLevel,
  optionalBindAddress,
  readEnv,
  z,
  type Env,
} from '@gateway/config';

/** `id:secret` entries separated by commas or newlines, usually through `<NAME>_FILE` since they hold secrets. */
function clientList() {
  return z
    .string()
    .default('')
    .transform((v, ctx) => {
      const clients: { id: string; secret: string }[] = [];
      for (const entry of v.split(/[,\n]/).map((e) => e.trim())) {
        if (entry === '') continue;
        const colon = entry.indexOf(':');
        const id = colon < 0 ? '' : entry.slice(0, colon);
        const secret = colon < 0 ? '' : entry.slice(colon + 1);
        if (!/^[A-Za-z0-9._~-]{1,64}$/.test(id) || secret.length < 16) {
          ctx.addIssue({
            code: 'custom',
            message: 'each entry must be client_id:secret (id of [A-Za-z0-9._~-], secret of 16+ characters)',
          });
          return z.NEVER;
        }
        if (clients.some((c) => c.id === id)) {
          ctx.addIssue({ code: 'custom', message: `client id ${id} is listed twice` });
          return z.NEVER;
        }
        clients.push({ id, secret });
      }
      return clients;
    });
}

const flag = (byDefault: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(byDefault)
    .transform((v) => v === 'true');

/** An optional setting: unset and empty are the same. */
const optionalText = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/**
 * An address as it goes into a From or Reply-To header: `user@host` or `Name <user@host>`. No line
 * breaks (header injection) and one @ in the address part.
 */
const mailbox = () =>
  optionalText().refine(
    (v) => v === undefined || /^(?:[^<>\r\n@]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/.test(v),
    'must be user@host or Name <user@host>',
  );

/** The auth service's environment; see apps/auth-service/README.md. */
const schema = z.object({
  AUTH_BIND: bindAddress('0.0.0.0:8080'),
  /** The internal listener serving /metrics; unset, no metrics are served (never on the public port). */
  AUTH_METRICS_BIND: optionalBindAddress(),
  /** Reverse proxies (addresses or CIDRs) whose X-Forwarded-For names the client, for limits and logs. */
  AUTH_TRUSTED_PROXIES: cidrList(),
  AUTH_LOG_LEVEL: logLevel(),
  /** Public base URL; the discovery `issuer` equals it exactly. */
  AUTH_ISSUER: httpUrl().refine(
    (v) => !v.includes('?') && !v.includes('#'),
    'must not have a query or fragment',
  ),
  AUTH_DATABASE_URL: anyUrl(['postgres:', 'postgresql:']),
  AUTH_REDIS_URL: anyUrl(['redis:', 'rediss:']),
  /** The homeserver's server name, e.g. example.com (user ids are @localpart:AUTH_HOMESERVER). */
  AUTH_HOMESERVER: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/, 'must be a Matrix server name'),
  /** Synapse's internal base URL, for the /_synapse/mas/* API. */
  AUTH_SYNAPSE_URL: httpUrl(),
  AUTH_SYNAPSE_SECRET: z.string().min(16, 'must be at least 16 characters'),
  /** Where the signing keys live; generated there on first start when the file is absent. */
  AUTH_SIGNING_KEY_FILE: z.string().min(1),
  /** Client ids whose consent screen is skipped (the operator's own apps). */
  AUTH_FIRST_PARTY_CLIENTS: commaList(),
  /**
   * Sign-in with a password (MAS: passwords.enabled, on). Off, the sign-in page offers only passkeys
   * and upstream providers (straight to the provider when there is exactly one) and the legacy
   * `/login` API refuses passwords.
   */
  AUTH_PASSWORD_LOGIN_ENABLED: flag('true'),
  /** Self-service password registration through prompt=create (MAS: password_registration_enabled, off). */
  AUTH_REGISTRATION_ENABLED: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Registration needs a token made with `cli.js registration-token add` (MAS: registration_token_required). */
  AUTH_REGISTRATION_TOKEN_REQUIRED: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * The zxcvbn score (0–4) a new password needs, wherever one is set (MAS: passwords.minimum_complexity,
   * default 3); 0 checks only the length and the most common passwords.
   */
  AUTH_PASSWORD_MINIMUM_COMPLEXITY: z.coerce.number().int().min(0).max(4).default(3),
  /**
   * Seconds between runs of the job that makes Synapse's device lists match our live sessions (deleting
   * devices nobody holds a session for, recreating missing ones); 0 turns it off.
   */
  AUTH_SYNC_DEVICES_INTERVAL: z.coerce.number().int().min(0).max(604_800).default(3600),
  /** Days audit events are kept (pruned hourly); 0 keeps them all. */
  AUTH_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(90),
  /** Access token lifetime, seconds (MAS: access_token_ttl, 60–86400, default 300). */
  AUTH_ACCESS_TOKEN_TTL: z.coerce.number().int().min(60).max(86_400).default(300),
  /**
   * Sign-in attempts per account in 10 minutes (five times as many per client address), across
   * replicas; the budget refills evenly and a successful sign-in refills the account's at once.
   */
  AUTH_LOGIN_ATTEMPTS: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Account registrations per client address per hour; 0 turns the limit off. */
  AUTH_REGISTRATIONS_PER_HOUR: z.coerce.number().int().min(0).max(1_000_000).default(10),
  /** Dynamic client registrations per client address per hour; 0 turns the limit off. */
  AUTH_CLIENT_REGISTRATIONS_PER_HOUR: z.coerce.number().int().min(0).max(1_000_000).default(120),
  /** Token endpoint requests per client address per minute; 0 turns the limit off. */
  AUTH_TOKEN_REQUESTS_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(600),
  /**
   * Clients that may call the admin API with `client_credentials` and scope `urn:mas:admin` (MAS's
   * `policy.data.admin_clients` plus its static client list): `id:secret` entries separated by commas or
   * newlines, usually through AUTH_ADMIN_CLIENTS_FILE since it holds secrets.
   */
  AUTH_ADMIN_CLIENTS: clientList(),
  /**
   * Confidential clients allowed the `client_credentials` grant for MSC4502 membership checks (the
   * rtc-jwt-service's LIVEKIT_OAUTH_CLIENT_ID/SECRET): `id:secret` entries as in AUTH_ADMIN_CLIENTS. Their
   * tokens act as AUTH_MEMBERSHIP_USER towards Synapse and may carry only the Matrix API scope and
   * `urn:matrix:client:io.element.msc4502:rooms:is_joined`.
   */
  AUTH_MEMBERSHIP_CLIENTS: clientList(),
  /**
   * The service user those tokens act as (a localpart), provisioned in Synapse on first use. It is nobody's
   * account: tokens are refused while an account of that name exists here.
   */
  AUTH_MEMBERSHIP_USER: z
    .string()
    .regex(
      /^[a-z0-9.=\-/+][a-z0-9.=_\-/+]{0,127}$/,
      'must be a localpart of a-z 0-9 . = _ - / + not starting with _',
    )
    .default('rtc-membership'),
  /**
   * The admin dashboard (apps/admin-dashboard) as a static public client: authorization code + PKCE,
   * refresh tokens, no secret. Unset, no such client exists. Its consent screen is skipped (it is the
   * operator's own app); the scope policy still grants `urn:mas:admin` to admins only.
   */
  AUTH_DASHBOARD_CLIENT_ID: optionalText().refine(
    (v) => v === undefined || /^[A-Za-z0-9._~-]{1,64}$/.test(v),
    'must be 1-64 characters of [A-Za-z0-9._~-]',
  ),
  /** The dashboard's redirect URI, its public URL plus `callback` (required with AUTH_DASHBOARD_CLIENT_ID). */
  AUTH_DASHBOARD_REDIRECT_URI: optionalText().refine(
    (v) => v === undefined || /^https?:\/\/[^\s#]+$/.test(v),
    'must be an http(s) URL without a fragment',
  ),
  /** How mail leaves (MAS: email.transport): `off` sends nothing and turns every email feature off. */
  AUTH_EMAIL_TRANSPORT: z.enum(['off', 'smtp']).default('off'),
  AUTH_EMAIL_SMTP_HOST: optionalText(),
  /** Default by mode: 25 (plain), 587 (starttls), 465 (tls). */
  AUTH_EMAIL_SMTP_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  /** `plain`: no TLS at all; `starttls`: upgrade required (refused without it); `tls`: TLS from the start. */
  AUTH_EMAIL_SMTP_MODE: z.enum(['plain', 'starttls', 'tls']).default('starttls'),
  AUTH_EMAIL_SMTP_USERNAME: optionalText(),
  AUTH_EMAIL_SMTP_PASSWORD: optionalText(),
  /** The From of every mail, e.g. `Example Chat <noreply@example.com>`. */
  AUTH_EMAIL_FROM: mailbox(),
  AUTH_EMAIL_REPLY_TO: mailbox(),
  /** Users may add, verify and remove addresses on the account page (MAS: email_change_allowed). */
  AUTH_EMAIL_CHANGE_ALLOWED: flag('true'),
  /** `/recover`: a one-time link by mail to set a new password (MAS: password_recovery_enabled, off). */
  AUTH_PASSWORD_RECOVERY_ENABLED: flag('false'),
  /** Mails (codes, links) to one address per hour, across replicas; 0 turns the limit off. */
  AUTH_EMAILS_PER_HOUR_PER_ADDRESS: z.coerce.number().int().min(0).max(1_000_000).default(3),
  /** Mails asked for from one client address per hour, across replicas; 0 turns the limit off. */
  AUTH_EMAILS_PER_HOUR_PER_IP: z.coerce.number().int().min(0).max(1_000_000).default(10),
  /**
   * The key TOTP secrets are encrypted under and recovery codes hashed with (at least 32 characters,
   * usually through AUTH_MFA_ENCRYPTION_KEY_FILE). Unset, two-factor authentication is not offered.
   * Changing it makes every enrolled factor unusable: its users sign in with a recovery code no
   * longer either, so an operator has to disable their factor.
   */
  AUTH_MFA_ENCRYPTION_KEY: optionalText().refine(
    (v) => v === undefined || v.length >= 32,
    'must be at least 32 characters',
  ),
  /**
   * Who must have two-factor authentication: `off`, `admins` or `everyone` (needs
   * AUTH_MFA_ENCRYPTION_KEY). A user required to have it without it sets it up during sign-in.
   */
  AUTH_MFA_REQUIRED: z.enum(MFA_POLICIES).default('off'),
  /**
   * Upstream OpenID providers as YAML in MAS's shape (MAS's whole config file or its `upstream_oauth2`
   * section), usually AUTH_UPSTREAM_OAUTH2_FILE naming the file; see upstream/upstream-config.ts.
   */
  AUTH_UPSTREAM_OAUTH2: optionalText(),
});

export interface SmtpSettings {
  host: string;
  port: number;
  mode: 'plain' | 'starttls' | 'tls';
  auth: { user: string; pass: string } | undefined;
}

export interface EmailSettings {
  smtp: SmtpSettings;
  from: string;
  replyTo: string | undefined;
}

const SMTP_PORTS = { plain: 25, starttls: 587, tls: 465 } as const;

/** The mail settings, or the problems naming each variable; null when AUTH_EMAIL_TRANSPORT is off. */
function emailSettings(v: z.output<typeof schema>, problems: string[]): EmailSettings | null {
  if (v.AUTH_EMAIL_TRANSPORT === 'off') return null;
  if (v.AUTH_EMAIL_SMTP_HOST === undefined)
    problems.push('AUTH_EMAIL_SMTP_HOST: required when AUTH_EMAIL_TRANSPORT is smtp');
  if (v.AUTH_EMAIL_FROM === undefined)
    problems.push('AUTH_EMAIL_FROM: required when AUTH_EMAIL_TRANSPORT is smtp');
  const user = v.AUTH_EMAIL_SMTP_USERNAME;
  const pass = v.AUTH_EMAIL_SMTP_PASSWORD;
  if ((user === undefined) !== (pass === undefined))
    problems.push('AUTH_EMAIL_SMTP_USERNAME: set it and AUTH_EMAIL_SMTP_PASSWORD together, or neither');
  if (v.AUTH_EMAIL_SMTP_HOST === undefined || v.AUTH_EMAIL_FROM === undefined) return null;
  return {
    smtp: {
      host: v.AUTH_EMAIL_SMTP_HOST,
      port: v.AUTH_EMAIL_SMTP_PORT ?? SMTP_PORTS[v.AUTH_EMAIL_SMTP_MODE],
      mode: v.AUTH_EMAIL_SMTP_MODE,
      auth: user !== undefined && pass !== undefined ? { user, pass } : undefined,
    },
    from: v.AUTH_EMAIL_FROM,
    replyTo: v.AUTH_EMAIL_REPLY_TO,
  };
}

export type AuthConfig = ReturnType<typeof toConfig>;

function toConfig(v: z.output<typeof schema>, email: EmailSettings | null, upstream: UpstreamConfig) {
  const issuer = v.AUTH_ISSUER;
  return {
    bind: v.AUTH_BIND,
    metricsBind: v.AUTH_METRICS_BIND,
    trustedProxies: v.AUTH_TRUSTED_PROXIES,
    logLevel: v.AUTH_LOG_LEVEL,
    issuer,
    /** The issuer without its trailing slash, to append endpoint paths to. */
    baseUrl: issuer.replace(/\/+$/, ''),
    databaseUrl: v.AUTH_DATABASE_URL,
    redisUrl: v.AUTH_REDIS_URL,
    homeserver: v.AUTH_HOMESERVER,
    synapseUrl: v.AUTH_SYNAPSE_URL.replace(/\/+$/, ''),
    synapseSecret: v.AUTH_SYNAPSE_SECRET,
    signingKeyFile: v.AUTH_SIGNING_KEY_FILE,
    firstPartyClients: new Set([
      ...v.AUTH_FIRST_PARTY_CLIENTS,
      ...(v.AUTH_DASHBOARD_CLIENT_ID === undefined ? [] : [v.AUTH_DASHBOARD_CLIENT_ID]),
    ]),
    passwordLoginEnabled: v.AUTH_PASSWORD_LOGIN_ENABLED,
    registrationEnabled: v.AUTH_REGISTRATION_ENABLED,
    registrationTokenRequired: v.AUTH_REGISTRATION_TOKEN_REQUIRED,
    passwordMinimumComplexity: v.AUTH_PASSWORD_MINIMUM_COMPLEXITY,
    syncDevicesIntervalSeconds: v.AUTH_SYNC_DEVICES_INTERVAL,
    auditRetentionDays: v.AUTH_AUDIT_RETENTION_DAYS,
    accessTokenTtl: v.AUTH_ACCESS_TOKEN_TTL,
    loginAttempts: v.AUTH_LOGIN_ATTEMPTS,
    registrationsPerHour: v.AUTH_REGISTRATIONS_PER_HOUR,
    clientRegistrationsPerHour: v.AUTH_CLIENT_REGISTRATIONS_PER_HOUR,
    tokenRequestsPerMinute: v.AUTH_TOKEN_REQUESTS_PER_MINUTE,
    adminClients: v.AUTH_ADMIN_CLIENTS,
    /** The admin dashboard's static public client, when configured. */
    dashboardClient:
      v.AUTH_DASHBOARD_CLIENT_ID === undefined || v.AUTH_DASHBOARD_REDIRECT_URI === undefined
        ? null
        : { id: v.AUTH_DASHBOARD_CLIENT_ID, redirectUri: v.AUTH_DASHBOARD_REDIRECT_URI },
    /** Clients whose client_credentials tokens act as `membershipUser` for MSC4502 `is_joined`. */
    membershipClients: v.AUTH_MEMBERSHIP_CLIENTS,
    membershipUser: v.AUTH_MEMBERSHIP_USER,
    /** How mail is sent; null: AUTH_EMAIL_TRANSPORT=off, and no email feature is offered. */
    email,
    /** Adding, verifying and removing addresses on the account page (needs mail). */
    emailChangeAllowed: email !== null && v.AUTH_EMAIL_CHANGE_ALLOWED,
    passwordRecoveryEnabled: email !== null && v.AUTH_PASSWORD_RECOVERY_ENABLED,
    emailsPerHourPerAddress: v.AUTH_EMAILS_PER_HOUR_PER_ADDRESS,
    emailsPerHourPerIp: v.AUTH_EMAILS_PER_HOUR_PER_IP,
    /** The TOTP key material; null: no two-factor authentication is offered. */
    mfaEncryptionKey: v.AUTH_MFA_ENCRYPTION_KEY ?? null,
    mfaRequired: v.AUTH_MFA_REQUIRED,
    /** Upstream OpenID providers (AUTH_UPSTREAM_OAUTH2_FILE): enabled ones, with their secrets in memory. */
    upstream,
  };
}

/** The providers, or the problems naming the variable the YAML came through. */
function upstreamSettings(yamlText: string | undefined, env: Env, problems: string[]): UpstreamConfig {
  const variable =
    env['AUTH_UPSTREAM_OAUTH2_FILE'] !== undefined && env['AUTH_UPSTREAM_OAUTH2_FILE'] !== ''
      ? 'AUTH_UPSTREAM_OAUTH2_FILE'
      : 'AUTH_UPSTREAM_OAUTH2';
  return parseUpstreamConfig(yamlText, variable, problems);
}

export function loadAuthConfig(env: Env): AuthConfig {
  const values = readEnv(schema, env);
  const problems: string[] = [];
  const email = emailSettings(values, problems);
  // Recovery is nothing but a mail: asking for it without a way to send one is a mistake to report.
  if (values.AUTH_PASSWORD_RECOVERY_ENABLED && values.AUTH_EMAIL_TRANSPORT === 'off')
    problems.push('AUTH_PASSWORD_RECOVERY_ENABLED: needs AUTH_EMAIL_TRANSPORT=smtp');
  if (values.AUTH_MFA_REQUIRED !== 'off' && values.AUTH_MFA_ENCRYPTION_KEY === undefined)
    problems.push('AUTH_MFA_REQUIRED: needs AUTH_MFA_ENCRYPTION_KEY');
  if ((values.AUTH_DASHBOARD_CLIENT_ID === undefined) !== (values.AUTH_DASHBOARD_REDIRECT_URI === undefined))
    problems.push('AUTH_DASHBOARD_CLIENT_ID: set it and AUTH_DASHBOARD_REDIRECT_URI together, or neither');
  const upstream = upstreamSettings(values.AUTH_UPSTREAM_OAUTH2, env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const config = toConfig(values, email, upstream);
  // One client id is one oidc-provider client: it cannot be configured twice with two roles.
  const admins = new Set(config.adminClients.map((c) => c.id));
  const dashboard = config.dashboardClient?.id;
  if (
    dashboard !== undefined &&
    (admins.has(dashboard) || config.membershipClients.some((c) => c.id === dashboard))
  )
    throw new ConfigError([
      `AUTH_DASHBOARD_CLIENT_ID: client id ${dashboard} is also an admin or membership client; use another id`,
    ]);
  const both = config.membershipClients.find((c) => admins.has(c.id));
  if (both !== undefined) {
    throw new ConfigError([
      `AUTH_MEMBERSHIP_CLIENTS: client id ${both.id} is also in AUTH_ADMIN_CLIENTS; use another id`,
    ]);
  }
  return config;
}
