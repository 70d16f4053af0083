import { randomBytes } from 'node:crypto';

/** MSC4502's scope for `is_joined`, unstable prefix, as Synapse 1.160 names it. */
export const IS_JOINED_SCOPE = 'urn:matrix:client:io.element.msc4502:rooms:is_joined';

export interface RegistrationOptions {
  asToken?: string;
  hsToken?: string;
  id?: string;
  senderLocalpart?: string;
}

/** A token as long and as random as the ones Synapse's own tooling suggests (32 bytes). */
export function newAppServiceToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * The application-service registration Synapse loads through `app_service_config_files`. It exists
 * only to hold MSC4502's scope (Synapse reads `io.element.msc4502.scopes`), so it claims no user, alias
 * or room namespace (upstream's `.*` users namespace would let the token act as any local user, which
 * `is_joined` does not need) and has `url: null`: Synapse sends it no transactions.
 *
 * Written as YAML whose scalars are JSON strings, so any YAML reader, and readRegistrationTokens, read it.
 */
export function renderRegistration(options: RegistrationOptions = {}): string {
  const q = (value: string): string => JSON.stringify(value);
  return [
    "# Application-service registration for rtc-jwt-service: add this file to Synapse's",
    '# app_service_config_files and set experimental_features.msc4502_enabled: true.',
    `id: ${q(options.id ?? 'rtc-jwt-service')}`,
    'url: null',
    `as_token: ${q(options.asToken ?? newAppServiceToken())}`,
    `hs_token: ${q(options.hsToken ?? newAppServiceToken())}`,
    `sender_localpart: ${q(options.senderLocalpart ?? 'rtc-jwt-service')}`,
    'rate_limited: false',
    'namespaces:',
    '  users: []',
    '  aliases: []',
    '  rooms: []',
    'io.element.msc4502.scopes:',
    `  - ${q(IS_JOINED_SCOPE)}`,
    '',
  ].join('\n');
}

/**
 * `as_token` and `hs_token` from a registration file. Only top-level scalar lines are read (plain,
 * single- or double-quoted): a registration is flat at that level, and a full YAML parser is not a
 * dependency of this service.
 */
export function readRegistrationTokens(text: string): { asToken: string; hsToken: string } {
  const scalar = (key: string): string => {
    const line = text.split(/\r?\n/).find((l) => l.startsWith(`${key}:`));
    if (line === undefined) throw new Error(`no top-level "${key}"`);
    const raw = line.slice(key.length + 1).trim();
    let value: string;
    if (raw.startsWith('"')) {
      const end = raw.lastIndexOf('"');
      if (end <= 0) throw new Error(`"${key}" has an unterminated string`);
      value = JSON.parse(raw.slice(0, end + 1)) as string;
    } else if (raw.startsWith("'")) {
      const end = raw.lastIndexOf("'");
      if (end <= 0) throw new Error(`"${key}" has an unterminated string`);
      value = raw.slice(1, end).replaceAll("''", "'");
    } else value = raw.replace(/\s+#.*$/, '');
    if (value === '') throw new Error(`"${key}" is empty`);
    return value;
  };
  return { asToken: scalar('as_token'), hsToken: scalar('hs_token') };
}
