import { Logger } from '@nestjs/common';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuthStore } from '@gateway/auth-data';

const log = new Logger('upstream');

/**
 * Ties a sign-in through an upstream provider to the browser session it ends in. The interaction
 * records the sign-in (upstream/upstream-sign-in.ts `recordSignIn`) before oidc-provider knows which
 * session it will be; when oidc-provider resumes that authorization the session is known (its `uid`,
 * stable for its life) and is written on the sign-in's row, which back-channel logout follows.
 */
export function bindUpstreamSignIns(store: AuthStore) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    // ctx.oidc is absent on paths oidc-provider does not route, whatever the typings say.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    if (ctx.oidc?.route !== 'resume') return;
    // The resumed interaction is the route's `uid` (`/authorize/:uid`); ctx.oidc's Interaction entity is
    // by now the next one when the authorization went on to another prompt (consent).
    const uid = (ctx as { params?: Record<string, string | undefined> }).params?.['uid'];
    const session = ctx.oidc.session as { uid?: string; accountId?: string } | undefined;
    if (uid === undefined || session?.uid === undefined || session.accountId === undefined) return;
    await store.upstream.bindSignIn(uid, session.accountId, session.uid).catch((err: unknown) => {
      // The sign-in stands; only a later back-channel logout will not find this session.
      log.warn({
        msg: 'recording the browser session of an upstream sign-in failed',
        reason: err instanceof Error ? err.message : String(err),
      });
    });
  };
}
