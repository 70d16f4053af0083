import { OAuthError } from '../oauth-error';

/**
 * OAuth scopes as Matrix uses them (MSC2967): parsing a scope string into what
 * it grants, MAS's device-scope rules, and the normalised form Synapse sees at introspection.
 */

/** Matrix scopes exist in a stable form and the MSC2967 unstable form; clients use either. */
export type ScopeForm = 'stable' | 'unstable';

/** Full client-server API access, by form. */
export const API_SCOPES = {
  stable: 'urn:matrix:client:api:*',
  unstable: 'urn:matrix:org.matrix.msc2967.client:api:*',
} as const satisfies Record<ScopeForm, string>;

/** Device scope prefixes, by form: the device ID follows the prefix. */
export const DEVICE_SCOPE_PREFIXES = {
  stable: 'urn:matrix:client:device:',
  unstable: 'urn:matrix:org.matrix.msc2967.client:device:',
} as const satisfies Record<ScopeForm, string>;

/** Synapse admin API access (Synapse checks for exactly this token). */
export const SYNAPSE_ADMIN_SCOPE = 'urn:synapse:admin:*';
/** The auth service's own admin API and full GraphQL access. */
export const MAS_ADMIN_SCOPE = 'urn:mas:admin';
/** The GraphQL API of the account SPA. */
export const MAS_GRAPHQL_SCOPE = 'urn:mas:graphql:*';
/**
 * MSC4502 `is_joined` (Synapse's `Scopes.QUERY_ROOM_MEMBERSHIP`): only the membership clients'
 * client_credentials tokens carry it (membership-clients/).
 */
export const IS_JOINED_SCOPE = 'urn:matrix:client:io.element.msc4502:rooms:is_joined';

const FORMS: readonly ScopeForm[] = ['stable', 'unstable'];
// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const NQCHARS = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
// MAS's policy regex (the docs' narrower `a-zA-Z0-9-` is wrong). The 255 cap is ours: Synapse refuses
// longer device IDs at introspection, so issuing such a token would only produce a broken session.
const DEVICE_ID = /^[A-Za-z0-9._~!$&'()*+,;=:@/-]{10,255}$/;

/** The device a token is bound to, and the form its scope was requested in. */
export interface DeviceScope {
  readonly id: string;
  readonly form: ScopeForm;
}

/** A scope string taken apart. */
export interface MatrixScopeGrant {
  /** Every scope token, sorted and deduplicated (MAS stores scopes as a sorted set). */
  readonly scopes: readonly string[];
  /** The forms in which the client-server API scope was granted; empty when it was not. */
  readonly api: readonly ScopeForm[];
  readonly device: DeviceScope | null;
  readonly synapseAdmin: boolean;
  readonly masAdmin: boolean;
  readonly masGraphql: boolean;
  readonly openid: boolean;
  readonly email: boolean;
  /** Tokens with no meaning here, sorted; the default policy refuses them. */
  readonly other: readonly string[];
}

/**
 * Parses a space-separated scope string and enforces MAS's device-scope rules: at most one device
 * scope, a device ID of at least 10 characters from MAS's set, the API scope alongside it, and both
 * in the same (stable or unstable) form. The empty string is the empty grant.
 *
 * @throws OAuthError `invalid_scope` describing the first rule broken.
 */
export function parseScope(scope: string): MatrixScopeGrant {
  const tokens = scope === '' ? [] : scope.split(' ');
  for (const token of tokens) {
    if (!NQCHARS.test(token)) throw invalidScope('scope must be scope tokens separated by single spaces');
  }
  const scopes = [...new Set(tokens)].sort();
  const api = FORMS.filter((form) => scopes.includes(API_SCOPES[form]));
  const devices = scopes.flatMap((token) => {
    const device = deviceScopeOf(token);
    return device === null ? [] : [device];
  });
  const known = new Set<string>([SYNAPSE_ADMIN_SCOPE, MAS_ADMIN_SCOPE, MAS_GRAPHQL_SCOPE, 'openid', 'email']);
  const grant: MatrixScopeGrant = {
    scopes,
    api,
    device: devices[0] ?? null,
    synapseAdmin: scopes.includes(SYNAPSE_ADMIN_SCOPE),
    masAdmin: scopes.includes(MAS_ADMIN_SCOPE),
    masGraphql: scopes.includes(MAS_GRAPHQL_SCOPE),
    openid: scopes.includes('openid'),
    email: scopes.includes('email'),
    other: scopes.filter(
      (token) =>
        !known.has(token) && deviceScopeOf(token) === null && !api.some((f) => API_SCOPES[f] === token),
    ),
  };
  checkDeviceScope(grant, devices.length);
  return grant;
}

function checkDeviceScope(grant: MatrixScopeGrant, deviceScopes: number): void {
  const { device, api } = grant;
  if (device === null) return;
  if (deviceScopes > 1) throw invalidScope('only one device scope is allowed at a time');
  if (!DEVICE_ID.test(device.id)) {
    throw invalidScope("the device ID must be 10 to 255 characters from A-Z a-z 0-9 and ._~!$&'()*+,;=:@/-");
  }
  if (api.length === 0) throw invalidScope(`the device scope requires the ${API_SCOPES[device.form]} scope`);
  if (!api.includes(device.form)) {
    throw invalidScope('stable and unstable (MSC2967) Matrix scopes cannot be mixed');
  }
}

function invalidScope(description: string): OAuthError {
  return new OAuthError('invalid_scope', description);
}

/** The device named by a device scope token, or null when `token` is not one. */
export function deviceScopeOf(token: string): DeviceScope | null {
  for (const form of FORMS) {
    const prefix = DEVICE_SCOPE_PREFIXES[form];
    if (token.startsWith(prefix)) return { id: token.slice(prefix.length), form };
  }
  return null;
}

/** The device scope token for `deviceId` in `form`. */
export function deviceScope(deviceId: string, form: ScopeForm): string {
  return `${DEVICE_SCOPE_PREFIXES[form]}${deviceId}`;
}

/**
 * Whether granting `token` needs an administrator: the Synapse admin API or the auth service's own
 * admin API. Consent screens should call these out.
 */
export function isAdminScope(token: string): boolean {
  return token === SYNAPSE_ADMIN_SCOPE || token === MAS_ADMIN_SCOPE;
}

/** Whether the grant includes the client-server API, in either form. */
export function hasApiScope(grant: MatrixScopeGrant): boolean {
  return grant.api.length > 0;
}

/**
 * The grant Synapse should see for a compat (legacy `/login`) session: full API access in both forms,
 * its device, and Synapse admin only for sessions flagged so (syn2mas imports, explicit CLI grants).
 * Compat device IDs are whatever Synapse allowed, so they are not held to the device-scope rules.
 */
export function compatSessionGrant(deviceId: string, synapseAdmin: boolean): MatrixScopeGrant {
  const scopes = [...Object.values(API_SCOPES), ...(synapseAdmin ? [SYNAPSE_ADMIN_SCOPE] : [])].sort();
  return {
    scopes,
    api: FORMS,
    device: { id: deviceId, form: 'stable' },
    synapseAdmin,
    masAdmin: false,
    masGraphql: false,
    openid: false,
    email: false,
    other: [],
  };
}

/** Options of {@link scopeForIntrospection}. */
export interface IntrospectionScopeOptions {
  /**
   * Whether to put the device into the scope. False for compat sessions when Synapse sent
   * `X-MAS-Supports-Device-Id: 1`: the device then travels in `device_id`. Default true.
   */
  includeDevice?: boolean;
}

/**
 * The `scope` string of an introspection response: the granted scopes, normalised so that the API
 * scope and the device scope appear in BOTH the stable and the unstable form whichever the client
 * asked for (Synapse and other resource servers may look for either). Sorted, space-separated.
 *
 * A device ID that cannot be written as a scope token (compat devices may contain spaces) is left
 * out; such a session must be introspected with `device_id`.
 */
export function scopeForIntrospection(
  grant: MatrixScopeGrant,
  options: IntrospectionScopeOptions = {},
): string {
  const tokens = new Set(grant.scopes.filter((token) => deviceScopeOf(token) === null));
  if (grant.api.length > 0) for (const form of FORMS) tokens.add(API_SCOPES[form]);
  const device = grant.device;
  if (device !== null && (options.includeDevice ?? true) && NQCHARS.test(device.id)) {
    for (const form of FORMS) tokens.add(deviceScope(device.id, form));
  }
  if (grant.synapseAdmin) tokens.add(SYNAPSE_ADMIN_SCOPE);
  return [...tokens].sort().join(' ');
}
