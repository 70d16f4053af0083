import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from '@gateway/config';
import { SUPPORTED_AUTH_METHODS, type TokenEndpointAuthMethod } from '../registration/client-metadata';
import { parseTemplate, TemplateError, type ClaimsTemplate } from './claims-template';

/**
 * AUTH_UPSTREAM_OAUTH2(_FILE): upstream OpenID providers in MAS's shape, either MAS's whole config file
 * (its `upstream_oauth2` section is read) or that section alone (`providers: [...]`). Parsed once at
 * start; a bad value stops the service naming the provider and field. Keys we do not use (MAS has
 * more) are ignored with one warning each.
 */

export const IMPORT_ACTIONS = ['ignore', 'suggest', 'force', 'require'] as const;
export type ImportAction = (typeof IMPORT_ACTIONS)[number];
export const ON_CONFLICT = ['fail', 'add', 'replace', 'set'] as const;
/** MAS's `on_backchannel_logout`: what a provider's logout token ends (MAS's default: nothing). */
export const ON_BACKCHANNEL_LOGOUT = ['do_nothing', 'logout_browser_only', 'logout_all'] as const;
export type OnBackchannelLogout = (typeof ON_BACKCHANNEL_LOGOUT)[number];
export type OnConflict = (typeof ON_CONFLICT)[number];
/** Upstream token endpoint authentication: the methods the service takes from its own clients. */
export type UpstreamAuthMethod = TokenEndpointAuthMethod;
/** MAS's other client authentication method: refused by name, so the operator knows it is a scope cut. */
const UNSUPPORTED_AUTH_METHODS = ['sign_in_with_apple'];
const METHOD_LIST = `${SUPPORTED_AUTH_METHODS.slice(0, -1).join(', ')} or ${SUPPORTED_AUTH_METHODS.at(-1) ?? ''}`;
/**
 * `token_endpoint_auth_signing_alg` per JWT method, as MAS takes them: an HMAC under the client secret,
 * or a signature by one of the service's own keys (AUTH_SIGNING_KEY_FILE, published at
 * /oauth2/keys.json, where the provider fetches it).
 */
export const SIGNING_ALGS = {
  client_secret_jwt: ['HS256', 'HS384', 'HS512'],
  private_key_jwt: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'],
} as const;
export type ClientAssertionAlg = (typeof SIGNING_ALGS)[keyof typeof SIGNING_ALGS][number];

export interface ClaimImport {
  action: ImportAction;
  template: ClaimsTemplate;
}

export interface ClaimsImports {
  subject: ClaimsTemplate;
  localpart: ClaimImport & { onConflict: OnConflict };
  displayname: ClaimImport;
  email: ClaimImport;
  accountName: ClaimsTemplate | null;
}

export type Discovery =
  | { mode: 'oidc' | 'insecure' }
  | {
      mode: 'disabled';
      authorizationEndpoint: string;
      tokenEndpoint: string;
      jwksUri: string;
      userinfoEndpoint: string | null;
    };

export interface UpstreamProviderConfig {
  id: string;
  issuer: string;
  humanName: string | null;
  brandName: string | null;
  clientId: string;
  /** Null with `none`; held in memory only (the providers table never stores it). */
  clientSecret: string | null;
  authMethod: UpstreamAuthMethod;
  /** The client assertion's algorithm with client_secret_jwt and private_key_jwt; null otherwise. */
  signingAlg: ClientAssertionAlg | null;
  onBackchannelLogout: OnBackchannelLogout;
  scope: string;
  discovery: Discovery;
  pkce: 'auto' | 'always' | 'never';
  responseMode: 'query' | 'form_post';
  fetchUserinfo: boolean;
  synapseIdpId: string | null;
  claims: ClaimsImports;
  /** Its place in the file: the order of the sign-in page's buttons. */
  uiOrder: number;
}

export interface UpstreamConfig {
  /** Enabled providers, in file order. */
  providers: UpstreamProviderConfig[];
  /** Providers present but `enabled: false` (synced as disabled). */
  disabledCount: number;
  /** One line per key we ignore, logged at start. */
  warnings: string[];
}

const url = () =>
  z
    .string()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an http(s) URL');

const template = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      try {
        return parseTemplate(v);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        ctx.addIssue({ code: 'custom', message: `template: ${err.message}` });
        return z.NEVER;
      }
    });

const templateOnly = (fallback: string) => z.object({ template: template(fallback) });
const claimImport = (fallback: string) =>
  z.object({ action: z.enum(IMPORT_ACTIONS).default('ignore'), template: template(fallback) });
const localpartImport = z.object({
  ...claimImport('{{ user.preferred_username }}').shape,
  on_conflict: z.enum(ON_CONFLICT).default('fail'),
});
const accountName = z.object({ template: z.string().optional() });

const claimsImports = z.object({
  subject: templateOnly('{{ user.sub }}').prefault({}),
  localpart: localpartImport.prefault({}),
  displayname: claimImport('{{ user.name }}').prefault({}),
  email: claimImport('{{ user.email }}').prefault({}),
  account_name: accountName.prefault({}),
});

const provider = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a ULID or 1-64 characters of [A-Za-z0-9_-]'),
  issuer: url(),
  human_name: z.string().min(1).optional(),
  brand_name: z.string().min(1).optional(),
  client_id: z.string().min(1),
  client_secret: z.string().min(1).optional(),
  client_secret_file: z.string().min(1).optional(),
  token_endpoint_auth_method: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined || (SUPPORTED_AUTH_METHODS as readonly string[]).includes(v)) return;
      ctx.addIssue({
        code: 'custom',
        message: UNSUPPORTED_AUTH_METHODS.includes(v)
          ? `${v} is not supported here; use ${METHOD_LIST}`
          : `must be ${METHOD_LIST}`,
      });
    }),
  token_endpoint_auth_signing_alg: z.string().min(1).optional(),
  scope: z
    .string()
    .default('openid')
    .refine((v) => v.split(/\s+/).includes('openid'), 'must contain openid'),
  discovery_mode: z.enum(['oidc', 'insecure', 'disabled']).default('oidc'),
  authorization_endpoint: url().optional(),
  token_endpoint: url().optional(),
  jwks_uri: url().optional(),
  userinfo_endpoint: url().optional(),
  pkce_method: z.enum(['auto', 'always', 'never']).default('auto'),
  response_mode: z.enum(['query', 'form_post']).nullable().default('query'),
  fetch_userinfo: z.boolean().default(false),
  synapse_idp_id: z.string().min(1).optional(),
  enabled: z.boolean().default(true),
  on_backchannel_logout: z.enum(ON_BACKCHANNEL_LOGOUT).default('do_nothing'),
  claims_imports: claimsImports.prefault({}),
});

const section = z.object({ providers: z.array(z.unknown()).default([]) });

/**
 * Parses the YAML text; `variable` names the setting in every message added to `problems` (the
 * result is then empty).
 */
export function parseUpstreamConfig(
  yamlText: string | undefined,
  variable: string,
  problems: string[],
): UpstreamConfig {
  const empty: UpstreamConfig = { providers: [], disabledCount: 0, warnings: [] };
  const fail = (problem: string): UpstreamConfig => {
    problems.push(problem);
    return empty;
  };
  if (yamlText === undefined) return empty;
  let document: unknown;
  try {
    document = parseYaml(yamlText);
  } catch (err) {
    return fail(`${variable}: not valid YAML (${(err as Error).message.split('\n')[0] ?? ''})`);
  }
  if (document === null || document === undefined) return empty;
  if (typeof document !== 'object' || Array.isArray(document))
    return fail(`${variable}: must be a mapping with providers (or MAS's config with upstream_oauth2)`);
  const root = document as Record<string, unknown>;
  const sectionValue = 'upstream_oauth2' in root ? root['upstream_oauth2'] : root;
  if (sectionValue === null || sectionValue === undefined) return empty;
  const parsedSection = section.safeParse(sectionValue);
  if (!parsedSection.success) return fail(`${variable}: providers must be a list`);
  const before = problems.length;
  const warnings: string[] = [];
  const providers: UpstreamProviderConfig[] = [];
  const ids = new Set<string>();
  let disabledCount = 0;
  parsedSection.data.providers.forEach((raw, index) => {
    const where = `${variable}: providers[${index}]`;
    const result = provider.safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues)
        problems.push(`${where}.${issue.path.map(String).join('.')}: ${issue.message}`);
      return;
    }
    const p = result.data;
    warnings.push(...unknownKeys(raw, where));
    if (ids.has(p.id)) {
      problems.push(`${where}.id: ${p.id} is listed twice`);
      return;
    }
    ids.add(p.id);
    const secret = clientSecret(p, where, problems);
    if (secret === undefined) return;
    const discovery = discoveryOf(p, where, problems);
    if (discovery === null) return;
    if (!p.enabled) {
      disabledCount++;
      return;
    }
    const imports = p.claims_imports;
    providers.push({
      id: p.id,
      issuer: p.issuer,
      humanName: p.human_name ?? null,
      brandName: p.brand_name ?? null,
      clientId: p.client_id,
      clientSecret: secret.value,
      authMethod: secret.method,
      signingAlg: secret.signingAlg,
      onBackchannelLogout: p.on_backchannel_logout,
      scope: p.scope
        .split(/\s+/)
        .filter((s) => s !== '')
        .join(' '),
      discovery,
      pkce: p.pkce_method,
      responseMode: p.response_mode ?? 'query',
      fetchUserinfo: p.fetch_userinfo,
      synapseIdpId: p.synapse_idp_id ?? null,
      claims: {
        subject: imports.subject.template,
        localpart: {
          action: imports.localpart.action,
          template: imports.localpart.template,
          onConflict: imports.localpart.on_conflict,
        },
        displayname: imports.displayname,
        email: imports.email,
        accountName: accountNameTemplate(imports.account_name.template, `${where}.claims_imports`, problems),
      },
      uiOrder: index,
    });
  });
  return problems.length > before ? empty : { providers, disabledCount, warnings };
}

type ParsedProvider = z.output<typeof provider>;

/**
 * The secret, the method and the client assertion's algorithm, or undefined after reporting a problem.
 * Which fields each method takes is MAS's: a secret with the two `client_secret_*` methods and
 * `client_secret_jwt`, none with `none` and `private_key_jwt`; an algorithm with the two JWT methods
 * only.
 */
function clientSecret(
  p: ParsedProvider,
  where: string,
  problems: string[],
): { value: string | null; method: UpstreamAuthMethod; signingAlg: ClientAssertionAlg | null } | undefined {
  if (p.client_secret !== undefined && p.client_secret_file !== undefined) {
    problems.push(`${where}.client_secret: set it or client_secret_file, not both`);
    return undefined;
  }
  let value = p.client_secret ?? null;
  if (p.client_secret_file !== undefined) {
    try {
      value = readFileSync(p.client_secret_file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      problems.push(`${where}.client_secret_file: cannot read ${p.client_secret_file} (${code})`);
      return undefined;
    }
  }
  const method = (p.token_endpoint_auth_method ??
    (value === null ? 'none' : 'client_secret_basic')) as UpstreamAuthMethod;
  if ((method === 'none' || method === 'private_key_jwt') && value !== null) {
    problems.push(`${where}.token_endpoint_auth_method: ${method} takes no client secret`);
    return undefined;
  }
  if (method !== 'none' && method !== 'private_key_jwt' && (value === null || value === '')) {
    problems.push(`${where}.client_secret: required with ${method}`);
    return undefined;
  }
  const alg = p.token_endpoint_auth_signing_alg;
  if (method !== 'client_secret_jwt' && method !== 'private_key_jwt') {
    if (alg === undefined) return { value, method, signingAlg: null };
    problems.push(`${where}.token_endpoint_auth_signing_alg: only with client_secret_jwt or private_key_jwt`);
    return undefined;
  }
  const allowed: readonly string[] = SIGNING_ALGS[method];
  if (alg === undefined || !allowed.includes(alg)) {
    problems.push(
      `${where}.token_endpoint_auth_signing_alg: ${alg === undefined ? 'required' : `${alg} is not supported`} with ${method}; one of ${allowed.join(', ')}`,
    );
    return undefined;
  }
  return { value, method, signingAlg: alg as ClientAssertionAlg };
}

function discoveryOf(p: ParsedProvider, where: string, problems: string[]): Discovery | null {
  if (p.discovery_mode !== 'disabled') return { mode: p.discovery_mode };
  const missing = (['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const).filter(
    (k) => p[k] === undefined,
  );
  if (missing.length > 0) {
    for (const k of missing) problems.push(`${where}.${k}: required when discovery_mode is disabled`);
    return null;
  }
  return {
    mode: 'disabled',
    authorizationEndpoint: p.authorization_endpoint ?? '',
    tokenEndpoint: p.token_endpoint ?? '',
    jwksUri: p.jwks_uri ?? '',
    userinfoEndpoint: p.userinfo_endpoint ?? null,
  };
}

function accountNameTemplate(
  source: string | undefined,
  where: string,
  problems: string[],
): ClaimsTemplate | null {
  if (source === undefined) return null;
  try {
    return parseTemplate(source);
  } catch (err) {
    problems.push(`${where}.account_name.template: template: ${(err as Error).message}`);
    return null;
  }
}

/** The keys of a provider (and its claims_imports) we do not read: MAS has more than we support. */
function unknownKeys(raw: unknown, where: string): string[] {
  const out: string[] = [];
  const check = (value: unknown, known: readonly string[], path: string): void => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    for (const key of Object.keys(value))
      if (!known.includes(key)) out.push(`${path}.${key}: not supported, ignored`);
  };
  check(raw, Object.keys(provider.shape), where);
  const imports = (raw as Record<string, unknown>)['claims_imports'];
  check(imports, Object.keys(claimsImports.shape), `${where}.claims_imports`);
  if (typeof imports === 'object' && imports !== null) {
    const sub = imports as Record<string, unknown>;
    check(sub['subject'], ['template'], `${where}.claims_imports.subject`);
    check(sub['localpart'], Object.keys(localpartImport.shape), `${where}.claims_imports.localpart`);
    check(sub['displayname'], ['action', 'template'], `${where}.claims_imports.displayname`);
    check(sub['email'], ['action', 'template'], `${where}.claims_imports.email`);
    check(sub['account_name'], ['template'], `${where}.claims_imports.account_name`);
  }
  return out;
}
