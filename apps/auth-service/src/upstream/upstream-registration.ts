import { Logger } from '@nestjs/common';
import type { AuthStore, User } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import type { SelfRegistration } from '../accounts/self-registration';
import { isUsableUser } from '../accounts/usable-user';
import type { SynapseMasClient } from '../synapse/synapse-mas-client';
import { parseEmailAddress } from '../email/email-address';
import type { ProviderSync } from './provider-sync';
import type { OnConflict, UpstreamProviderConfig } from './upstream-config';
import type { UpstreamSession } from './upstream-sessions';

/** An imported value the page shows: fixed (force/require) or offered with a checkbox (suggest). */
export interface ImportChoice {
  value: string;
  optional: boolean;
}

/** What the link page offers for an unlinked subject. */
export type LinkDecision =
  | { kind: 'refused'; title: string; message: string }
  | {
      kind: 'register';
      /** The username: typed (ignore), prefilled (suggest), or fixed (force/require). */
      localpart: { value: string; fixed: boolean };
      displayName: ImportChoice | null;
      email: ImportChoice | null;
    }
  | {
      /** The imported username names an existing account, which on_conflict lets this subject join. */
      kind: 'existing';
      user: User;
      onConflict: Exclude<OnConflict, 'fail'>;
    };

export interface LinkForm {
  username?: string | undefined;
  importDisplayName: boolean;
  importEmail: boolean;
}

export type LinkResult =
  { ok: true; user: User; registered: boolean } | { ok: false; error: string; refused?: boolean };

/**
 * The link page's decision for a subject no account is linked to yet, after MAS's `claims_imports`:
 * register a new account (username typed, suggested or imposed by the provider, display name and a
 * verified email imported per action), or, when the imposed username exists, `on_conflict`: `fail`
 * refuses, `add` links to that account, `replace` drops its other links at this provider first, `set`
 * links only when it has none there. As in MAS, registering through a provider needs neither
 * AUTH_REGISTRATION_ENABLED nor a registration token.
 */
export class UpstreamRegistration {
  private readonly log = new Logger('upstream');

  constructor(
    private readonly store: AuthStore,
    private readonly registration: SelfRegistration,
    private readonly synapse: SynapseMasClient,
    private readonly sync: ProviderSync,
    private readonly clock: Clock,
  ) {}

  async decide(provider: UpstreamProviderConfig, session: UpstreamSession): Promise<LinkDecision> {
    const imports = provider.claims;
    const claims = session.claims;
    const name = provider.humanName ?? provider.id;
    const missing = (what: string): LinkDecision => ({
      kind: 'refused',
      title: 'Cannot sign in',
      message: `${name} did not give a ${what} for your account, and this server requires one. Contact the administrator.`,
    });
    if (imports.localpart.action === 'require' && claims.localpart === null) return missing('username');
    if (imports.displayname.action === 'require' && claims.displayName === null)
      return missing('display name');
    if (imports.email.action === 'require' && (claims.email === null || !claims.emailVerified))
      return missing('verified email address');
    const fixed = claims.localpart !== null && ['force', 'require'].includes(imports.localpart.action);
    if (fixed && claims.localpart !== null) {
      const existing = await this.store.users.findByLocalpart(claims.localpart);
      if (existing !== null) return this.conflict(provider, existing, claims.localpart);
    }
    return {
      kind: 'register',
      localpart: {
        value: imports.localpart.action === 'ignore' ? '' : (claims.localpart ?? ''),
        fixed,
      },
      displayName: choice(imports.displayname.action, claims.displayName),
      email: claims.emailVerified ? choice(imports.email.action, claims.email) : null,
    };
  }

  /** Carries out what the page offered (decided again: the form only answers the choices). */
  async complete(
    provider: UpstreamProviderConfig,
    session: UpstreamSession,
    form: LinkForm,
  ): Promise<LinkResult> {
    const decision = await this.decide(provider, session);
    await this.sync.synced();
    switch (decision.kind) {
      case 'refused':
        return { ok: false, error: decision.message, refused: true };
      case 'existing':
        return this.linkExisting(provider, session, decision.user, decision.onConflict);
      case 'register':
        return this.register(provider, session, decision, form);
      default: {
        const never: never = decision;
        throw new Error(`unknown decision ${String(never)}`);
      }
    }
  }

  private async conflict(
    provider: UpstreamProviderConfig,
    user: User,
    localpart: string,
  ): Promise<LinkDecision> {
    const onConflict = provider.claims.localpart.onConflict;
    const refused: LinkDecision = {
      kind: 'refused',
      title: 'Account already exists',
      message: `An account named ${localpart} already exists on this server and cannot be linked to your ${provider.humanName ?? provider.id} account. Contact the administrator.`,
    };
    if (onConflict === 'fail' || !isUsableUser(user)) return refused;
    if (onConflict === 'set') {
      const links = await this.store.upstream.linksOfUser(user.id);
      if (links.some((l) => l.providerId === provider.id)) return refused;
    }
    return { kind: 'existing', user, onConflict };
  }

  private async linkExisting(
    provider: UpstreamProviderConfig,
    session: UpstreamSession,
    user: User,
    onConflict: Exclude<OnConflict, 'fail'>,
  ): Promise<LinkResult> {
    if (onConflict === 'replace') await this.store.upstream.removeUserLinksAt(user.id, provider.id);
    const link = await this.store.upstream.addLink(
      {
        providerId: provider.id,
        subject: session.subject,
        userId: user.id,
        humanAccountName: session.claims.accountName,
      },
      new Date(this.clock()),
    );
    if (link === null)
      return { ok: false, error: 'This account was linked in the meantime. Start again.', refused: true };
    return { ok: true, user, registered: false };
  }

  private async register(
    provider: UpstreamProviderConfig,
    session: UpstreamSession,
    decision: Extract<LinkDecision, { kind: 'register' }>,
    form: LinkForm,
  ): Promise<LinkResult> {
    const username = decision.localpart.fixed ? decision.localpart.value : (form.username ?? '');
    const result = await this.registration.registerUpstream(username);
    if (!result.ok) return { ok: false, error: result.reason };
    const user = result.user;
    const link = await this.store.upstream.addLink(
      {
        providerId: provider.id,
        subject: session.subject,
        userId: user.id,
        humanAccountName: session.claims.accountName,
      },
      new Date(this.clock()),
    );
    if (link === null) {
      // Another tab linked this subject first: the new account has no way in; it is closed at once.
      await this.store.users.setDeactivated(user.id, new Date(this.clock()));
      return { ok: false, error: 'Your account was linked in the meantime. Start again.', refused: true };
    }
    const displayName = wanted(decision.displayName, form.importDisplayName);
    const email = wanted(decision.email, form.importEmail);
    const address = email === null ? null : parseEmailAddress(email);
    const emails: string[] = [];
    if (address !== null && (await this.store.emails.confirmedOwner(address)) === null) {
      if ((await this.store.emails.addConfirmed(user.id, address, new Date(this.clock()))) !== null)
        emails.push(address);
    }
    try {
      await this.synapse.provisionUser({
        localpart: user.localpart,
        ...(displayName === null ? {} : { displayName }),
        emails,
      });
    } catch (err) {
      // The account exists and is linked; the first token provisions it in Synapse again.
      this.log.warn({
        msg: 'provisioning an upstream-registered user failed',
        reason: err instanceof Error ? err.message : String(err),
      });
    }
    return { ok: true, user, registered: true };
  }
}

function choice(action: string, value: string | null): ImportChoice | null {
  if (action === 'ignore' || value === null) return null;
  return { value, optional: action === 'suggest' };
}

function wanted(offer: ImportChoice | null, accepted: boolean): string | null {
  if (offer === null) return null;
  return offer.optional && !accepted ? null : offer.value;
}
