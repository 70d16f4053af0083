import type { User } from '@gateway/auth-data';
import { OAuthError } from '../oauth-error';
import { deviceScope, deviceScopeOf, parseScope } from '../scopes/matrix-scopes';
import { checkScopePolicy } from '../scopes/scope-policy';

/** What the authorization request asked for, as the interaction sees it. */
export interface ConsentRequest {
  clientId: string;
  /** The `scope` parameter as sent (space-separated, possibly with repeats). */
  scope: string;
  /** Absent for the device authorization grant, which has no `response_type`. */
  responseType: string | undefined;
}

/** The OAuth error the authorization ends with. */
export interface Refusal {
  error: string;
  error_description: string;
}

export type ConsentDecision =
  | { kind: 'refuse'; refusal: Refusal }
  /** Grant without asking: a first-party client, or consent already given for these scopes. */
  | { kind: 'grant'; scopes: string[] }
  | { kind: 'ask'; scopes: string[] };

/** Where consent is remembered; `AuthStore['consents']` in production. */
export interface ConsentMemory {
  has(userId: string, clientId: string, scopes: readonly string[]): Promise<boolean>;
  remember(userId: string, clientId: string, scopes: readonly string[]): Promise<void>;
}

/**
 * Whether a user's authorization request may be granted, and whether the user must be asked first.
 * Consent is skipped for first-party clients (the operator's own apps and the built-in account client)
 * and for scopes this user already allowed this client.
 */
export class ConsentPolicy {
  constructor(
    private readonly memory: ConsentMemory,
    private readonly firstPartyClients: ReadonlySet<string>,
  ) {}

  async decide(request: ConsentRequest, user: User): Promise<ConsentDecision> {
    const refusal = this.refusal(request, user);
    if (refusal) return { kind: 'refuse', refusal };
    const scopes = grantableScopes(request);
    const known =
      this.firstPartyClients.has(request.clientId) ||
      (await this.memory.has(user.id, request.clientId, consentKey(scopes)));
    return { kind: known ? 'grant' : 'ask', scopes };
  }

  /**
   * The scopes to grant when the user has approved, or the refusal: the policy is checked again at
   * approval, since the user's rights may have changed while the consent page was open.
   */
  approve(request: ConsentRequest, user: User): { refusal: Refusal } | { scopes: string[] } {
    const refusal = this.refusal(request, user);
    return refusal ? { refusal } : { scopes: grantableScopes(request) };
  }

  async remember(user: User, clientId: string, scopes: readonly string[]): Promise<void> {
    await this.memory.remember(user.id, clientId, consentKey(scopes));
  }

  /**
   * MAS's scope policy (one device, admin scopes for admins only, ...). A request that breaks it is
   * refused with the OAuth error rather than silently down-scoped: the client asked for something it
   * cannot have and should say so to its user.
   */
  private refusal(request: ConsentRequest, user: User): Refusal | null {
    try {
      checkScopePolicy(parseScope(request.scope), {
        grantType:
          request.responseType === undefined
            ? 'urn:ietf:params:oauth:grant-type:device_code'
            : 'authorization_code',
        user: { canRequestAdmin: user.admin },
        clientIsAdmin: false,
      });
      return null;
    } catch (err) {
      if (err instanceof OAuthError) return { error: err.error, error_description: err.description };
      throw err;
    }
  }
}

/** The requested scopes, once each (the scope policy has already refused what the user may not have). */
function grantableScopes(request: ConsentRequest): string[] {
  return [...new Set(request.scope.split(' ').filter((s) => s !== ''))];
}

/** Device scopes change at every sign-in; consent is remembered for "a new device", not one device id. */
export function consentKey(scopes: readonly string[]): string[] {
  return scopes.map((s) => {
    const device = deviceScopeOf(s);
    return device === null ? s : deviceScope('*', device.form);
  });
}
