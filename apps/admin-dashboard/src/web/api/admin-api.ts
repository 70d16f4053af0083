// Generated from the auth service's /api/spec.json by openapi-typescript; do not edit.
// Regenerate: UPDATE_ADMIN_API_TYPES=1 npx vitest run --project integration apps/admin-dashboard/test/integration/api-types.spec.ts
export interface paths {
  '/api/admin/v1/audit-events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List audit events, oldest first */
    get: operations['listAuditEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/audit-events/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get an audit event */
    get: operations['getAuditEvent'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/compat-sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List compatibility sessions */
    get: operations['listCompatSessions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/compat-sessions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a compatibility session */
    get: operations['getCompatSession'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/compat-sessions/{id}/finish': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * End a compatibility session
     * @description Its tokens stop working at once and its device is deleted on the homeserver.
     */
    post: operations['finishCompatSession'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/oauth2-clients': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the clients registered through dynamic client registration */
    get: operations['listOAuth2Clients'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/oauth2-clients/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a registered client */
    get: operations['getOAuth2Client'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/oauth2-sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List OAuth 2.0 sessions */
    get: operations['listOAuth2Sessions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/oauth2-sessions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get an OAuth 2.0 session */
    get: operations['getOAuth2Session'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/oauth2-sessions/{id}/finish': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * End an OAuth 2.0 session
     * @description Its tokens stop working at once and its device is deleted on the homeserver.
     */
    post: operations['finishOAuth2Session'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/personal-sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List personal sessions */
    get: operations['listPersonalSessions'];
    put?: never;
    /**
     * Create a personal session with its access token
     * @description The token acts as `actor_user_id` with `scope` (the Matrix API with one device, made in the homeserver first; the admin scopes only for admins). It is answered once and stored only as a hash.
     */
    post: operations['createPersonalSession'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/personal-sessions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a personal session */
    get: operations['getPersonalSession'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/personal-sessions/{id}/regenerate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Replace a personal session’s access token
     * @description A new token for the same session; the old one is refused by this service at once (the homeserver may answer it from its introspection cache for up to 2 minutes).
     */
    post: operations['regeneratePersonalSession'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/personal-sessions/{id}/revoke': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Revoke a personal session
     * @description Its token stops working at once and its device is deleted on the homeserver.
     */
    post: operations['revokePersonalSession'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/site-config': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What this server lets its users do */
    get: operations['siteConfig'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/upstream-oauth-links': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List upstream OAuth 2.0 links */
    get: operations['listUpstreamOAuthLinks'];
    put?: never;
    /**
     * Add an upstream OAuth 2.0 link
     * @description Links an account at an upstream provider to a user, who may then sign in through that provider. The provider may be disabled and the user deactivated, as in MAS.
     */
    post: operations['addUpstreamOAuthLink'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/upstream-oauth-links/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get an upstream OAuth 2.0 link */
    get: operations['getUpstreamOAuthLink'];
    put?: never;
    post?: never;
    /**
     * Delete an upstream OAuth 2.0 link
     * @description The user can no longer sign in through that upstream account; nothing else changes.
     */
    delete: operations['deleteUpstreamOAuthLink'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/upstream-oauth-providers': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List upstream OAuth 2.0 providers */
    get: operations['listUpstreamOAuthProviders'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/upstream-oauth-providers/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get an upstream OAuth 2.0 provider */
    get: operations['getUpstreamOAuthProvider'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/user-emails': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List user emails */
    get: operations['listUserEmails'];
    put?: never;
    /**
     * Add a confirmed email address to a user
     * @description No mail is sent: the address is confirmed at once and becomes an email threepid in Synapse.
     */
    post: operations['addUserEmail'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/user-emails/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a user email */
    get: operations['getUserEmail'];
    put?: never;
    post?: never;
    /**
     * Remove a user email
     * @description The address is also removed from the user’s threepids in Synapse.
     */
    delete: operations['deleteUserEmail'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/user-registration-tokens': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List registration tokens */
    get: operations['listUserRegistrationTokens'];
    put?: never;
    /** Create a registration token */
    post: operations['addUserRegistrationToken'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/user-registration-tokens/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a registration token */
    get: operations['getUserRegistrationToken'];
    /** Update the usage limit or expiry of a registration token */
    put: operations['updateUserRegistrationToken'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/user-registration-tokens/{id}/revoke': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Revoke a registration token */
    post: operations['revokeUserRegistrationToken'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/user-registration-tokens/{id}/unrevoke': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Make a revoked registration token usable again */
    post: operations['unrevokeUserRegistrationToken'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/user-sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List user sessions
     * @description Browser sessions at the auth service. A session’s record is removed when it ends, so `filter[status]=finished` is always empty.
     */
    get: operations['listUserSessions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/user-sessions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a user session */
    get: operations['getUserSession'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/user-sessions/{id}/finish': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * End a user session
     * @description The browser is signed out of the auth service at once. Its OAuth 2.0 and compatibility sessions (Matrix devices) are not ended.
     */
    post: operations['finishUserSession'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/users': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List users */
    get: operations['listUsers'];
    put?: never;
    /**
     * Create a user
     * @description Creates the user here and provisions it on the homeserver. It has no password until one is set.
     */
    post: operations['createUser'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/users/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a user */
    get: operations['getUser'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/users/{id}/deactivate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Deactivate a user */
    post: operations['deactivateUser'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/users/{id}/lock': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Lock a user */
    post: operations['lockUser'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/users/{id}/reactivate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Reactivate a user */
    post: operations['reactivateUser'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/users/{id}/reset-mfa': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Remove a user's second factors
     * @description Gateway extension (MAS has no such operation): removes the TOTP factor, every passkey and the recovery codes of a user who lost them, so the password alone signs in again. Idempotent.
     */
    post: operations['resetUserMfa'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/users/{id}/set-admin': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Set whether the user may request admin scopes */
    post: operations['userSetAdmin'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/users/{id}/set-password': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Set the password of a user */
    post: operations['setUserPassword'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/users/{id}/unlock': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Unlock a user */
    post: operations['unlockUser'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/users/by-username/{username}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a user by its username (localpart) */
    get: operations['getUserByUsername'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/v1/version': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The running version */
    get: operations['version'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: never;
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  listAuditEvents: {
    parameters: {
      query?: {
        /** @description Page size (1–1000, default 10). */
        'page[first]'?: number;
        /** @description Page size (1–1000, default 10). */
        'page[last]'?: number;
        /** @description Cursor: items before this one. */
        'page[before]'?: string;
        /** @description Cursor: items after this one. */
        'page[after]'?: string;
        /** @description Include the total count (`true`, default), omit it, or answer only the count. */
        count?: 'true' | 'false' | 'only';
        /** @description Only events of this actor. */
        'filter[actor]'?: string;
        /** @description Only events about this subject. */
        'filter[subject]'?: string;
        /** @description Only events of this type. */
        'filter[type]'?:
          | 'user.login.succeeded'
          | 'user.login.failed'
          | 'user.login.mfa.failed'
          | 'compat.login.succeeded'
          | 'compat.login.failed'
          | 'compat.logout'
          | 'session.ended'
          | 'token.revoked'
          | 'refresh.replayed'
          | 'account.password.changed'
          | 'account.displayname.changed'
          | 'account.cross-signing-reset.allowed'
          | 'account.deactivated'
          | 'account.personal-token.created'
          | 'account.personal-token.revoked'
          | 'account.mfa.totp.enabled'
          | 'account.mfa.totp.disabled'
          | 'account.mfa.passkey.added'
          | 'account.mfa.passkey.removed'
          | 'account.mfa.recovery-codes.regenerated'
          | 'account.upstream.registered'
          | 'account.upstream-link.added'
          | 'account.upstream-link.removed'
          | 'admin.user.created'
          | 'admin.user.password.set'
          | 'admin.user.admin.set'
          | 'admin.user.locked'
          | 'admin.user.unlocked'
          | 'admin.user.deactivated'
          | 'admin.user.reactivated'
          | 'admin.user.mfa.reset'
          | 'admin.user-email.added'
          | 'admin.user-email.removed'
          | 'admin.session.finished'
          | 'admin.registration-token.created'
          | 'admin.registration-token.updated'
          | 'admin.registration-token.revoked'
          | 'admin.registration-token.unrevoked'
          | 'admin.personal-session.created'
          | 'admin.personal-session.revoked'
          | 'admin.personal-session.regenerated'
          | 'admin.compat-session.finished'
          | 'admin.user-session.finished'
          | 'admin.upstream-oauth-link.added'
          | 'admin.upstream-oauth-link.removed'
          | 'admin.request'
          | 'cli.user.created'
          | 'cli.user.password.set'
          | 'cli.user.locked'
          | 'cli.user.unlocked'
          | 'cli.user.deactivated'
          | 'cli.user.reactivated'
          | 'cli.user.displayname.set'
          | 'cli.user.sessions.killed'
          | 'cli.user.admin.set'
          | 'cli.user.compat-token.issued'
          | 'cli.users.provisioned'
          | 'cli.user.mfa.reset'
          | 'cli.registration-token.created'
          | 'cli.registration-token.revoked'
          | 'cli.registration-token.unrevoked'
          | 'import.synapse';
        /** @description Only events at or after this time. */
        'filter[since]'?: string;
        /** @description Only events before this time. */
        'filter[until]'?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of audit events. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            meta?: {
              count: number;
            };
            data?: {
              /** @constant */
              type: 'audit-event';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                /** @enum {string} */
                type:
                  | 'user.login.succeeded'
                  | 'user.login.failed'
                  | 'user.login.mfa.failed'
                  | 'compat.login.succeeded'
                  | 'compat.login.failed'
                  | 'compat.logout'
                  | 'session.ended'
                  | 'token.revoked'
                  | 'refresh.replayed'
                  | 'account.password.changed'
                  | 'account.displayname.changed'
                  | 'account.cross-signing-reset.allowed'
                  | 'account.deactivated'
                  | 'account.personal-token.created'
                  | 'account.personal-token.revoked'
                  | 'account.mfa.totp.enabled'
                  | 'account.mfa.totp.disabled'
                  | 'account.mfa.passkey.added'
                  | 'account.mfa.passkey.removed'
                  | 'account.mfa.recovery-codes.regenerated'
                  | 'account.upstream.registered'
                  | 'account.upstream-link.added'
                  | 'account.upstream-link.removed'
                  | 'admin.user.created'
                  | 'admin.user.password.set'
                  | 'admin.user.admin.set'
                  | 'admin.user.locked'
                  | 'admin.user.unlocked'
                  | 'admin.user.deactivated'
                  | 'admin.user.reactivated'
                  | 'admin.user.mfa.reset'
                  | 'admin.user-email.added'
                  | 'admin.user-email.removed'
                  | 'admin.session.finished'
                  | 'admin.registration-token.created'
                  | 'admin.registration-token.updated'
                  | 'admin.registration-token.revoked'
                  | 'admin.registration-token.unrevoked'
                  | 'admin.personal-session.created'
                  | 'admin.personal-session.revoked'
                  | 'admin.personal-session.regenerated'
                  | 'admin.compat-session.finished'
                  | 'admin.user-session.finished'
                  | 'admin.upstream-oauth-link.added'
                  | 'admin.upstream-oauth-link.removed'
                  | 'admin.request'
                  | 'cli.user.created'
                  | 'cli.user.password.set'
                  | 'cli.user.locked'
                  | 'cli.user.unlocked'
                  | 'cli.user.deactivated'
                  | 'cli.user.reactivated'
                  | 'cli.user.displayname.set'
                  | 'cli.user.sessions.killed'
                  | 'cli.user.admin.set'
                  | 'cli.user.compat-token.issued'
                  | 'cli.users.provisioned'
                  | 'cli.user.mfa.reset'
                  | 'cli.registration-token.created'
                  | 'cli.registration-token.revoked'
                  | 'cli.registration-token.unrevoked'
                  | 'import.synapse';
                /**
                 * @description attempted: an admin or operator change about to be made; its outcome follows.
                 * @enum {string}
                 */
                outcome: 'attempted' | 'succeeded' | 'failed';
                /** @description A user ID, an admin client ID, 'cli', 'system' or 'anonymous'. */
                actor: string;
                /** @enum {string} */
                actor_kind: 'user' | 'client' | 'cli' | 'system' | 'anonymous';
                /** @description What was acted on: a user ID, a session ID, a registration token ID… */
                subject: string | null;
                /** @description The client address (behind trusted proxies). */
                ip: string | null;
                user_agent: string | null;
                /** @description A few facts about the event; never a secret. */
                details: {
                  [key: string]: string | number | boolean | null;
                };
              };
              links: {
                self: string;
              };
              meta: {
                page: {
                  cursor: string;
                };
              };
            }[];
            links: {
              self: string;
              first: string;
              last: string;
              next?: string;
              prev?: string;
            };
          };
        };
      };
      /** @description A bad filter or page parameter. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getAuditEvent: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The audit event. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'audit-event';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                /** @enum {string} */
                type:
                  | 'user.login.succeeded'
                  | 'user.login.failed'
                  | 'user.login.mfa.failed'
                  | 'compat.login.succeeded'
                  | 'compat.login.failed'
                  | 'compat.logout'
                  | 'session.ended'
                  | 'token.revoked'
                  | 'refresh.replayed'
                  | 'account.password.changed'
                  | 'account.displayname.changed'
                  | 'account.cross-signing-reset.allowed'
                  | 'account.deactivated'
                  | 'account.personal-token.created'
                  | 'account.personal-token.revoked'
                  | 'account.mfa.totp.enabled'
                  | 'account.mfa.totp.disabled'
                  | 'account.mfa.passkey.added'
                  | 'account.mfa.passkey.removed'
                  | 'account.mfa.recovery-codes.regenerated'
                  | 'account.upstream.registered'
                  | 'account.upstream-link.added'
                  | 'account.upstream-link.removed'
                  | 'admin.user.created'
                  | 'admin.user.password.set'
                  | 'admin.user.admin.set'
                  | 'admin.user.locked'
                  | 'admin.user.unlocked'
                  | 'admin.user.deactivated'
                  | 'admin.user.reactivated'
                  | 'admin.user.mfa.reset'
                  | 'admin.user-email.added'
                  | 'admin.user-email.removed'
                  | 'admin.session.finished'
                  | 'admin.registration-token.created'
                  | 'admin.registration-token.updated'
                  | 'admin.registration-token.revoked'
                  | 'admin.registration-token.unrevoked'
                  | 'admin.personal-session.created'
                  | 'admin.personal-session.revoked'
                  | 'admin.personal-session.regenerated'
                  | 'admin.compat-session.finished'
                  | 'admin.user-session.finished'
                  | 'admin.upstream-oauth-link.added'
                  | 'admin.upstream-oauth-link.removed'
                  | 'admin.request'
                  | 'cli.user.created'
                  | 'cli.user.password.set'
                  | 'cli.user.locked'
                  | 'cli.user.unlocked'
                  | 'cli.user.deactivated'
                  | 'cli.user.reactivated'
                  | 'cli.user.displayname.set'
                  | 'cli.user.sessions.killed'
                  | 'cli.user.admin.set'
                  | 'cli.user.compat-token.issued'
                  | 'cli.users.provisioned'
                  | 'cli.user.mfa.reset'
                  | 'cli.registration-token.created'
                  | 'cli.registration-token.revoked'
                  | 'cli.registration-token.unrevoked'
                  | 'import.synapse';
                /**
                 * @description attempted: an admin or operator change about to be made; its outcome follows.
                 * @enum {string}
                 */
                outcome: 'attempted' | 'succeeded' | 'failed';
                /** @description A user ID, an admin client ID, 'cli', 'system' or 'anonymous'. */
                actor: string;
                /** @enum {string} */
                actor_kind: 'user' | 'client' | 'cli' | 'system' | 'anonymous';
                /** @description What was acted on: a user ID, a session ID, a registration token ID… */
                subject: string | null;
                /** @description The client address (behind trusted proxies). */
                ip: string | null;
                user_agent: string | null;
                /** @description A few facts about the event; never a secret. */
                details: {
                  [key: string]: string | number | boolean | null;
                };
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such audit event. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  listCompatSessions: {
    parameters: {
      query?: {
        /** @description Page size (1–1000, default 10). */
        'page[first]'?: number;
        /** @description Page size (1–1000, default 10). */
        'page[last]'?: number;
        /** @description Cursor: items before this one. */
        'page[before]'?: string;
        /** @description Cursor: items after this one. */
        'page[after]'?: string;
        /** @description Include the total count (`true`, default), omit it, or answer only the count. */
        count?: 'true' | 'false' | 'only';
        /** @description Only this user’s sessions (user ID). */
        'filter[user]'?: string;
        'filter[status]'?: 'active' | 'finished';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of sessions. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            meta?: {
              count: number;
            };
            data?: {
              /** @constant */
              type: 'compat-session';
              id: string;
              attributes: {
                user_id: string;
                device_id: string | null;
                user_session_id: string | null;
                redirect_uri: string | null;
                /** Format: date-time */
                created_at: string;
                user_agent: string | null;
                last_active_at: string | null;
                last_active_ip: string | null;
                finished_at: string | null;
                human_name: string | null;
              };
              links: {
                self: string;
              };
              meta: {
                page: {
                  cursor: string;
                };
              };
            }[];
            links: {
              self: string;
              first: string;
              last: string;
              next?: string;
              prev?: string;
            };
          };
        };
      };
      /** @description A bad filter or page parameter. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The user in filter[user] does not exist. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getCompatSession: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The session. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'compat-session';
              id: string;
              attributes: {
                user_id: string;
                device_id: string | null;
                user_session_id: string | null;
                redirect_uri: string | null;
                /** Format: date-time */
                created_at: string;
                user_agent: string | null;
                last_active_at: string | null;
                last_active_ip: string | null;
                finished_at: string | null;
                human_name: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such session. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  finishCompatSession: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The session. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'compat-session';
              id: string;
              attributes: {
                user_id: string;
                device_id: string | null;
                user_session_id: string | null;
                redirect_uri: string | null;
                /** Format: date-time */
                created_at: string;
                user_agent: string | null;
                last_active_at: string | null;
                last_active_ip: string | null;
                finished_at: string | null;
                human_name: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description The session is already finished. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such session. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  listOAuth2Clients: {
    parameters: {
      query?: {
        /** @description Page size (1–1000, default 10). */
        'page[first]'?: number;
        /** @description Page size (1–1000, default 10). */
        'page[last]'?: number;
        /** @description Cursor: items before this one. */
        'page[before]'?: string;
        /** @description Cursor: items after this one. */
        'page[after]'?: string;
        /** @description Include the total count (`true`, default), omit it, or answer only the count. */
        count?: 'true' | 'false' | 'only';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of clients. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            meta?: {
              count: number;
            };
            data?: {
              /** @constant */
              type: 'oauth2-client';
              id: string;
              attributes: {
                client_id: string;
                client_name: string | null;
                client_uri: string | null;
                logo_uri: string | null;
                policy_uri: string | null;
                tos_uri: string | null;
                redirect_uris: string[];
                grant_types: string[];
                application_type: string | null;
                token_endpoint_auth_method: string | null;
                created_at: string | null;
              };
              links: {
                self: string;
              };
              meta: {
                page: {
                  cursor: string;
                };
              };
            }[];
            links: {
              self: string;
              first: string;
              last: string;
              next?: string;
              prev?: string;
            };
          };
        };
      };
      /** @description A bad page parameter. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getOAuth2Client: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The client. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'oauth2-client';
              id: string;
              attributes: {
                client_id: string;
                client_name: string | null;
                client_uri: string | null;
                logo_uri: string | null;
                policy_uri: string | null;
                tos_uri: string | null;
                redirect_uris: string[];
                grant_types: string[];
                application_type: string | null;
                token_endpoint_auth_method: string | null;
                created_at: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such client. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  listOAuth2Sessions: {
    parameters: {
      query?: {
        /** @description Page size (1–1000, default 10). */
        'page[first]'?: number;
        /** @description Page size (1–1000, default 10). */
        'page[last]'?: number;
        /** @description Cursor: items before this one. */
        'page[before]'?: string;
        /** @description Cursor: items after this one. */
        'page[after]'?: string;
        /** @description Include the total count (`true`, default), omit it, or answer only the count. */
        count?: 'true' | 'false' | 'only';
        /** @description Only this user’s sessions (user ID). */
        'filter[user]'?: string;
        /** @description Only this client’s sessions. */
        'filter[client]'?: string;
        'filter[status]'?: 'active' | 'finished';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of sessions. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            meta?: {
              count: number;
            };
            data?: {
              /** @constant */
              type: 'oauth2-session';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                finished_at: string | null;
                user_id: string | null;
                user_session_id: string | null;
                client_id: string;
                scope: string;
                user_agent: string | null;
                last_active_at: string | null;
                last_active_ip: string | null;
                human_name: string | null;
              };
              links: {
                self: string;
              };
              meta: {
                page: {
                  cursor: string;
                };
              };
            }[];
            links: {
              self: string;
              first: string;
              last: string;
              next?: string;
              prev?: string;
            };
          };
        };
      };
      /** @description A bad filter or page parameter. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The user in filter[user] does not exist. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getOAuth2Session: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The session. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'oauth2-session';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                finished_at: string | null;
                user_id: string | null;
                user_session_id: string | null;
                client_id: string;
                scope: string;
                user_agent: string | null;
                last_active_at: string | null;
                last_active_ip: string | null;
                human_name: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such session. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  finishOAuth2Session: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The session. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'oauth2-session';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                finished_at: string | null;
                user_id: string | null;
                user_session_id: string | null;
                client_id: string;
                scope: string;
                user_agent: string | null;
                last_active_at: string | null;
                last_active_ip: string | null;
                human_name: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description The session is already finished. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such session. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  listPersonalSessions: {
    parameters: {
      query?: {
        /** @description Page size (1–1000, default 10). */
        'page[first]'?: number;
        /** @description Page size (1–1000, default 10). */
        'page[last]'?: number;
        /** @description Cursor: items before this one. */
        'page[before]'?: string;
        /** @description Cursor: items after this one. */
        'page[after]'?: string;
        /** @description Include the total count (`true`, default), omit it, or answer only the count. */
        count?: 'true' | 'false' | 'only';
        /** @description Only tokens made by this user (ID). */
        'filter[owner_user]'?: string;
        /** @description Only tokens made by this client. */
        'filter[owner_client]'?: string;
        /** @description Only tokens acting as this user (ID). */
        'filter[actor_user]'?: string;
        'filter[status]'?: 'active' | 'revoked';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of personal sessions. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            meta?: {
              count: number;
            };
            data?: {
              /** @constant */
              type: 'personal-session';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                revoked_at: string | null;
                /** @description The user who made the token, if a user did. */
                owner_user_id: string | null;
                /** @description The admin client that made the token, if a client did. */
                owner_client_id: string | null;
                /** @description The user the token acts as. */
                actor_user_id: string;
                human_name: string;
                scope: string;
                last_active_at: string | null;
                last_active_ip: string | null;
                /** @description When the live token expires; null if never. */
                expires_at: string | null;
              };
              links: {
                self: string;
              };
              meta: {
                page: {
                  cursor: string;
                };
              };
            }[];
            links: {
              self: string;
              first: string;
              last: string;
              next?: string;
              prev?: string;
            };
          };
        };
      };
      /** @description A bad filter or page parameter. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The user in a user filter does not exist. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  createPersonalSession: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description The user the token acts as. */
          actor_user_id: string;
          human_name: string;
          /** @description Space-separated scopes. */
          scope: string;
          /** @description Lifetime in seconds (60 to 31622400); absent or null: never expires. */
          expires_in?: number | null;
        };
      };
    };
    responses: {
      /** @description The session and its token. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'personal-session';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                revoked_at: string | null;
                /** @description The user who made the token, if a user did. */
                owner_user_id: string | null;
                /** @description The admin client that made the token, if a client did. */
                owner_client_id: string | null;
                /** @description The user the token acts as. */
                actor_user_id: string;
                human_name: string;
                scope: string;
                last_active_at: string | null;
                last_active_ip: string | null;
                /** @description When the live token expires; null if never. */
                expires_at: string | null;
                /** @description The token (`mpt_…`), shown only in this answer. */
                access_token: string;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description A bad name, scope or lifetime, or the user is locked or deactivated. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The homeserver could not be reached; no token was issued. Also when the audit log could not be written (nothing was changed). */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getPersonalSession: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The session. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'personal-session';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                revoked_at: string | null;
                /** @description The user who made the token, if a user did. */
                owner_user_id: string | null;
                /** @description The admin client that made the token, if a client did. */
                owner_client_id: string | null;
                /** @description The user the token acts as. */
                actor_user_id: string;
                human_name: string;
                scope: string;
                last_active_at: string | null;
                last_active_ip: string | null;
                /** @description When the live token expires; null if never. */
                expires_at: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such session. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  regeneratePersonalSession: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /** @description Lifetime in seconds (60 to 31622400); absent or null: never expires. */
          expires_in?: number | null;
        };
      };
    };
    responses: {
      /** @description The session and its new token. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'personal-session';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                revoked_at: string | null;
                /** @description The user who made the token, if a user did. */
                owner_user_id: string | null;
                /** @description The admin client that made the token, if a client did. */
                owner_client_id: string | null;
                /** @description The user the token acts as. */
                actor_user_id: string;
                human_name: string;
                scope: string;
                last_active_at: string | null;
                last_active_ip: string | null;
                /** @description When the live token expires; null if never. */
                expires_at: string | null;
                /** @description The token (`mpt_…`), shown only in this answer. */
                access_token: string;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description A bad lifetime, or the session is revoked. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such session. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  revokePersonalSession: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The revoked session. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'personal-session';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                revoked_at: string | null;
                /** @description The user who made the token, if a user did. */
                owner_user_id: string | null;
                /** @description The admin client that made the token, if a client did. */
                owner_client_id: string | null;
                /** @description The user the token acts as. */
                actor_user_id: string;
                human_name: string;
                scope: string;
                last_active_at: string | null;
                last_active_ip: string | null;
                /** @description When the live token expires; null if never. */
                expires_at: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description The session is already revoked. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such session. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  siteConfig: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The site configuration. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            server_name: string;
            password_login_enabled: boolean;
            password_registration_enabled: boolean;
            password_registration_email_required: boolean;
            registration_token_required: boolean;
            email_change_allowed: boolean;
            displayname_change_allowed: boolean;
            password_change_allowed: boolean;
            account_recovery_allowed: boolean;
            account_deactivation_allowed: boolean;
            captcha_enabled: boolean;
            minimum_password_complexity: number;
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  listUpstreamOAuthLinks: {
    parameters: {
      query?: {
        /** @description Page size (1–1000, default 10). */
        'page[first]'?: number;
        /** @description Page size (1–1000, default 10). */
        'page[last]'?: number;
        /** @description Cursor: items before this one. */
        'page[before]'?: string;
        /** @description Cursor: items after this one. */
        'page[after]'?: string;
        /** @description Include the total count (`true`, default), omit it, or answer only the count. */
        count?: 'true' | 'false' | 'only';
        /** @description Only this user’s links (user ID). */
        'filter[user]'?: string;
        /** @description Only links at this provider (provider ID). */
        'filter[provider]'?: string;
        /** @description Only the link with this subject. */
        'filter[subject]'?: string;
        /** @description Only links whose account name contains this text (case-insensitive). */
        'filter[human-account-name]'?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of upstream links. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            meta?: {
              count: number;
            };
            data?: {
              /** @constant */
              type: 'upstream-oauth-link';
              id: string;
              attributes: {
                /**
                 * Format: date-time
                 * @description When the link was made.
                 */
                created_at: string;
                /** @description The ID of the provider. */
                provider_id: string;
                /** @description The subject of the upstream account, unique per provider. */
                subject: string;
                /** @description The ID of the user who owns this link. */
                user_id: string;
                /** @description A human-readable name of the upstream account. */
                human_account_name: string | null;
              };
              links: {
                self: string;
              };
              meta: {
                page: {
                  cursor: string;
                };
              };
            }[];
            links: {
              self: string;
              first: string;
              last: string;
              next?: string;
              prev?: string;
            };
          };
        };
      };
      /** @description A bad filter or page parameter. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The user in filter[user] or the provider in filter[provider] does not exist. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  addUpstreamOAuthLink: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description The ID of the user to which the link should be added. */
          user_id: string;
          /** @description The ID of the upstream provider the link is for. */
          provider_id: string;
          /** @description The subject (sub) claim of the user at the provider. */
          subject: string;
          /** @description A human-readable account name. */
          human_account_name?: string | null;
        };
      };
    };
    responses: {
      /** @description The new link. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'upstream-oauth-link';
              id: string;
              attributes: {
                /**
                 * Format: date-time
                 * @description When the link was made.
                 */
                created_at: string;
                /** @description The ID of the provider. */
                provider_id: string;
                /** @description The subject of the upstream account, unique per provider. */
                subject: string;
                /** @description The ID of the user who owns this link. */
                user_id: string;
                /** @description A human-readable name of the upstream account. */
                human_account_name: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Invalid body. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user or provider. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The subject is already linked to a user at that provider. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getUpstreamOAuthLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The upstream link. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'upstream-oauth-link';
              id: string;
              attributes: {
                /**
                 * Format: date-time
                 * @description When the link was made.
                 */
                created_at: string;
                /** @description The ID of the provider. */
                provider_id: string;
                /** @description The subject of the upstream account, unique per provider. */
                subject: string;
                /** @description The ID of the user who owns this link. */
                user_id: string;
                /** @description A human-readable name of the upstream account. */
                human_account_name: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such upstream link. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  deleteUpstreamOAuthLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The link was deleted. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such upstream link. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  listUpstreamOAuthProviders: {
    parameters: {
      query?: {
        /** @description Page size (1–1000, default 10). */
        'page[first]'?: number;
        /** @description Page size (1–1000, default 10). */
        'page[last]'?: number;
        /** @description Cursor: items before this one. */
        'page[before]'?: string;
        /** @description Cursor: items after this one. */
        'page[after]'?: string;
        /** @description Include the total count (`true`, default), omit it, or answer only the count. */
        count?: 'true' | 'false' | 'only';
        /** @description Only providers that are (`true`) or are not (`false`) enabled. */
        'filter[enabled]'?: 'true' | 'false';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of upstream providers. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            meta?: {
              count: number;
            };
            data?: {
              /** @constant */
              type: 'upstream-oauth-provider';
              id: string;
              attributes: {
                /** @description The OpenID issuer of the provider. */
                issuer: string | null;
                /** @description A human-readable name for the provider. */
                human_name: string | null;
                /** @description A brand identifier, e.g. "apple" or "google". */
                brand_name: string | null;
                /**
                 * Format: date-time
                 * @description When the provider was first configured.
                 */
                created_at: string;
                /** @description When the provider left the configuration; null while it is enabled. */
                disabled_at: string | null;
                /** @description Whether a registration token is required for registrations through this provider. */
                registration_token_required: boolean;
              };
              links: {
                self: string;
              };
              meta: {
                page: {
                  cursor: string;
                };
              };
            }[];
            links: {
              self: string;
              first: string;
              last: string;
              next?: string;
              prev?: string;
            };
          };
        };
      };
      /** @description A bad filter or page parameter. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getUpstreamOAuthProvider: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The upstream provider. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'upstream-oauth-provider';
              id: string;
              attributes: {
                /** @description The OpenID issuer of the provider. */
                issuer: string | null;
                /** @description A human-readable name for the provider. */
                human_name: string | null;
                /** @description A brand identifier, e.g. "apple" or "google". */
                brand_name: string | null;
                /**
                 * Format: date-time
                 * @description When the provider was first configured.
                 */
                created_at: string;
                /** @description When the provider left the configuration; null while it is enabled. */
                disabled_at: string | null;
                /** @description Whether a registration token is required for registrations through this provider. */
                registration_token_required: boolean;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Not a provider ID. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such provider. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  listUserEmails: {
    parameters: {
      query?: {
        /** @description Page size (1–1000, default 10). */
        'page[first]'?: number;
        /** @description Page size (1–1000, default 10). */
        'page[last]'?: number;
        /** @description Cursor: items before this one. */
        'page[before]'?: string;
        /** @description Cursor: items after this one. */
        'page[after]'?: string;
        /** @description Include the total count (`true`, default), omit it, or answer only the count. */
        count?: 'true' | 'false' | 'only';
        /** @description Only this user’s addresses (user ID). */
        'filter[user]'?: string;
        /** @description Only this address (compared case-insensitively). */
        'filter[email]'?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of user emails. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            meta?: {
              count: number;
            };
            data?: {
              /** @constant */
              type: 'user-email';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                /** @description The ID of the user who owns this address. */
                user_id: string;
                /** @description The email address. */
                email: string;
              };
              links: {
                self: string;
              };
              meta: {
                page: {
                  cursor: string;
                };
              };
            }[];
            links: {
              self: string;
              first: string;
              last: string;
              next?: string;
              prev?: string;
            };
          };
        };
      };
      /** @description A bad filter or page parameter. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The user in filter[user] does not exist. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  addUserEmail: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description The ID of the user to add the address to. */
          user_id: string;
          /** @description The email address. */
          email: string;
        };
      };
    };
    responses: {
      /** @description The added address. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user-email';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                /** @description The ID of the user who owns this address. */
                user_id: string;
                /** @description The email address. */
                email: string;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Invalid body or not an email address. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description An account already has this address. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The homeserver could not be reached; the change is kept here. Also when the audit log could not be written (nothing was changed). */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getUserEmail: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user email. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user-email';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                /** @description The ID of the user who owns this address. */
                user_id: string;
                /** @description The email address. */
                email: string;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user email. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  deleteUserEmail: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The address was removed. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user email. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The homeserver could not be reached; the change is kept here. Also when the audit log could not be written (nothing was changed). */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  listUserRegistrationTokens: {
    parameters: {
      query?: {
        /** @description Page size (1–1000, default 10). */
        'page[first]'?: number;
        /** @description Page size (1–1000, default 10). */
        'page[last]'?: number;
        /** @description Cursor: items before this one. */
        'page[before]'?: string;
        /** @description Cursor: items after this one. */
        'page[after]'?: string;
        /** @description Include the total count (`true`, default), omit it, or answer only the count. */
        count?: 'true' | 'false' | 'only';
        /** @description Only tokens used (not) at least once. */
        'filter[used]'?: 'true' | 'false';
        /** @description Only (non-)revoked tokens. */
        'filter[revoked]'?: 'true' | 'false';
        /** @description Only (non-)expired tokens. */
        'filter[expired]'?: 'true' | 'false';
        /** @description Only tokens that can(not) be used now. */
        'filter[valid]'?: 'true' | 'false';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of registration tokens. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            meta?: {
              count: number;
            };
            data?: {
              /** @constant */
              type: 'user-registration_token';
              id: string;
              attributes: {
                /** @description The token to type on the registration page. */
                token: string;
                /** @description Not revoked, not expired and not used up. */
                valid: boolean;
                /** @description Uses allowed; null: unlimited. */
                usage_limit: number | null;
                times_used: number;
                /** Format: date-time */
                created_at: string;
                last_used_at: string | null;
                expires_at: string | null;
                revoked_at: string | null;
              };
              links: {
                self: string;
              };
              meta: {
                page: {
                  cursor: string;
                };
              };
            }[];
            links: {
              self: string;
              first: string;
              last: string;
              next?: string;
              prev?: string;
            };
          };
        };
      };
      /** @description A bad filter or page parameter. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  addUserRegistrationToken: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /** @description The token; 24 random characters when absent. */
          token?: string;
          /** @description Uses allowed; unlimited when absent. */
          usage_limit?: number;
          /**
           * Format: date-time
           * @description When it stops working; never when absent.
           */
          expires_at?: string;
        };
      };
    };
    responses: {
      /** @description The created token. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user-registration_token';
              id: string;
              attributes: {
                /** @description The token to type on the registration page. */
                token: string;
                /** @description Not revoked, not expired and not used up. */
                valid: boolean;
                /** @description Uses allowed; null: unlimited. */
                usage_limit: number | null;
                times_used: number;
                /** Format: date-time */
                created_at: string;
                last_used_at: string | null;
                expires_at: string | null;
                revoked_at: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Invalid body. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description A token with that value exists. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getUserRegistrationToken: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The registration token. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user-registration_token';
              id: string;
              attributes: {
                /** @description The token to type on the registration page. */
                token: string;
                /** @description Not revoked, not expired and not used up. */
                valid: boolean;
                /** @description Uses allowed; null: unlimited. */
                usage_limit: number | null;
                times_used: number;
                /** Format: date-time */
                created_at: string;
                last_used_at: string | null;
                expires_at: string | null;
                revoked_at: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such registration token. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  updateUserRegistrationToken: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /** @description null: unlimited; absent: unchanged. */
          usage_limit?: number | null;
          /** @description null: never; absent: unchanged. */
          expires_at?: string | null;
        };
      };
    };
    responses: {
      /** @description The registration token. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user-registration_token';
              id: string;
              attributes: {
                /** @description The token to type on the registration page. */
                token: string;
                /** @description Not revoked, not expired and not used up. */
                valid: boolean;
                /** @description Uses allowed; null: unlimited. */
                usage_limit: number | null;
                times_used: number;
                /** Format: date-time */
                created_at: string;
                last_used_at: string | null;
                expires_at: string | null;
                revoked_at: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Invalid body. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such registration token. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  revokeUserRegistrationToken: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The registration token. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user-registration_token';
              id: string;
              attributes: {
                /** @description The token to type on the registration page. */
                token: string;
                /** @description Not revoked, not expired and not used up. */
                valid: boolean;
                /** @description Uses allowed; null: unlimited. */
                usage_limit: number | null;
                times_used: number;
                /** Format: date-time */
                created_at: string;
                last_used_at: string | null;
                expires_at: string | null;
                revoked_at: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description The token is already revoked. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such registration token. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  unrevokeUserRegistrationToken: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The registration token. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user-registration_token';
              id: string;
              attributes: {
                /** @description The token to type on the registration page. */
                token: string;
                /** @description Not revoked, not expired and not used up. */
                valid: boolean;
                /** @description Uses allowed; null: unlimited. */
                usage_limit: number | null;
                times_used: number;
                /** Format: date-time */
                created_at: string;
                last_used_at: string | null;
                expires_at: string | null;
                revoked_at: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description The token is not revoked. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such registration token. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  listUserSessions: {
    parameters: {
      query?: {
        /** @description Page size (1–1000, default 10). */
        'page[first]'?: number;
        /** @description Page size (1–1000, default 10). */
        'page[last]'?: number;
        /** @description Cursor: items before this one. */
        'page[before]'?: string;
        /** @description Cursor: items after this one. */
        'page[after]'?: string;
        /** @description Include the total count (`true`, default), omit it, or answer only the count. */
        count?: 'true' | 'false' | 'only';
        /** @description Only this user’s sessions (user ID). */
        'filter[user]'?: string;
        'filter[status]'?: 'active' | 'finished';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of sessions. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            meta?: {
              count: number;
            };
            data?: {
              /** @constant */
              type: 'user-session';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                finished_at: string | null;
                user_id: string;
                user_agent: string | null;
                last_active_at: string | null;
                last_active_ip: string | null;
              };
              links: {
                self: string;
              };
              meta: {
                page: {
                  cursor: string;
                };
              };
            }[];
            links: {
              self: string;
              first: string;
              last: string;
              next?: string;
              prev?: string;
            };
          };
        };
      };
      /** @description A bad filter or page parameter. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The user in filter[user] does not exist. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getUserSession: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The session. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user-session';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                finished_at: string | null;
                user_id: string;
                user_agent: string | null;
                last_active_at: string | null;
                last_active_ip: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such live session. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  finishUserSession: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The session. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user-session';
              id: string;
              attributes: {
                /** Format: date-time */
                created_at: string;
                finished_at: string | null;
                user_id: string;
                user_agent: string | null;
                last_active_at: string | null;
                last_active_ip: string | null;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such live session (unknown, or already ended). */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  listUsers: {
    parameters: {
      query?: {
        /** @description Page size (1–1000, default 10). */
        'page[first]'?: number;
        /** @description Page size (1–1000, default 10). */
        'page[last]'?: number;
        /** @description Cursor: items before this one. */
        'page[before]'?: string;
        /** @description Cursor: items after this one. */
        'page[after]'?: string;
        /** @description Include the total count (`true`, default), omit it, or answer only the count. */
        count?: 'true' | 'false' | 'only';
        /** @description Only (non-)admins. */
        'filter[admin]'?: 'true' | 'false';
        /** @description Only (non-)guests; there are no guests here. */
        'filter[legacy-guest]'?: 'true' | 'false';
        /** @description Part of the username. */
        'filter[search]'?: string;
        /** @description active: neither locked nor deactivated. */
        'filter[status]'?: 'active' | 'locked' | 'deactivated';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of users. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            meta?: {
              count: number;
            };
            data?: {
              /** @constant */
              type: 'user';
              id: string;
              attributes: {
                /** @description The Matrix localpart. */
                username: string;
                /** Format: date-time */
                created_at: string;
                locked_at: string | null;
                deactivated_at: string | null;
                /** @description Whether the user may request admin scopes. */
                admin: boolean;
                legacy_guest: boolean;
              };
              links: {
                self: string;
              };
              meta: {
                page: {
                  cursor: string;
                };
              };
            }[];
            links: {
              self: string;
              first: string;
              last: string;
              next?: string;
              prev?: string;
            };
          };
        };
      };
      /** @description A bad filter or page parameter. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  createUser: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          username: string;
          /** @description Skip the homeserver availability check. */
          skip_homeserver_check?: boolean;
        };
      };
    };
    responses: {
      /** @description The created user. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user';
              id: string;
              attributes: {
                /** @description The Matrix localpart. */
                username: string;
                /** Format: date-time */
                created_at: string;
                locked_at: string | null;
                deactivated_at: string | null;
                /** @description Whether the user may request admin scopes. */
                admin: boolean;
                legacy_guest: boolean;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Invalid username or body. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The username is taken, here or on the homeserver. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The homeserver could not be reached. Also when the audit log could not be written (nothing was changed). */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user';
              id: string;
              attributes: {
                /** @description The Matrix localpart. */
                username: string;
                /** Format: date-time */
                created_at: string;
                locked_at: string | null;
                deactivated_at: string | null;
                /** @description Whether the user may request admin scopes. */
                admin: boolean;
                legacy_guest: boolean;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  deactivateUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': {
          /** @description Keep the user’s data on the homeserver (no GDPR erasure). */
          skip_erase?: boolean;
        };
      };
    };
    responses: {
      /** @description The user. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user';
              id: string;
              attributes: {
                /** @description The Matrix localpart. */
                username: string;
                /** Format: date-time */
                created_at: string;
                locked_at: string | null;
                deactivated_at: string | null;
                /** @description Whether the user may request admin scopes. */
                admin: boolean;
                legacy_guest: boolean;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Invalid body. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The homeserver could not be reached. Also when the audit log could not be written (nothing was changed). */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  lockUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user';
              id: string;
              attributes: {
                /** @description The Matrix localpart. */
                username: string;
                /** Format: date-time */
                created_at: string;
                locked_at: string | null;
                deactivated_at: string | null;
                /** @description Whether the user may request admin scopes. */
                admin: boolean;
                legacy_guest: boolean;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The homeserver could not be reached. Also when the audit log could not be written (nothing was changed). */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  reactivateUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user';
              id: string;
              attributes: {
                /** @description The Matrix localpart. */
                username: string;
                /** Format: date-time */
                created_at: string;
                locked_at: string | null;
                deactivated_at: string | null;
                /** @description Whether the user may request admin scopes. */
                admin: boolean;
                legacy_guest: boolean;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The homeserver could not be reached. Also when the audit log could not be written (nothing was changed). */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  resetUserMfa: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user';
              id: string;
              attributes: {
                /** @description The Matrix localpart. */
                username: string;
                /** Format: date-time */
                created_at: string;
                locked_at: string | null;
                deactivated_at: string | null;
                /** @description Whether the user may request admin scopes. */
                admin: boolean;
                legacy_guest: boolean;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  userSetAdmin: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          admin: boolean;
        };
      };
    };
    responses: {
      /** @description The user. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user';
              id: string;
              attributes: {
                /** @description The Matrix localpart. */
                username: string;
                /** Format: date-time */
                created_at: string;
                locked_at: string | null;
                deactivated_at: string | null;
                /** @description Whether the user may request admin scopes. */
                admin: boolean;
                legacy_guest: boolean;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Invalid body. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  setUserPassword: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          password: string;
          /** @description Skip the password strength rules; the 8–1024 character window still applies. */
          skip_password_check?: boolean;
        };
      };
    };
    responses: {
      /** @description The password was set. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description The password is refused by the policy. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The audit log could not be written; nothing was changed. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  unlockUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user';
              id: string;
              attributes: {
                /** @description The Matrix localpart. */
                username: string;
                /** Format: date-time */
                created_at: string;
                locked_at: string | null;
                deactivated_at: string | null;
                /** @description Whether the user may request admin scopes. */
                admin: boolean;
                legacy_guest: boolean;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The homeserver could not be reached. Also when the audit log could not be written (nothing was changed). */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  getUserByUsername: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        username: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            data: {
              /** @constant */
              type: 'user';
              id: string;
              attributes: {
                /** @description The Matrix localpart. */
                username: string;
                /** Format: date-time */
                created_at: string;
                locked_at: string | null;
                deactivated_at: string | null;
                /** @description Whether the user may request admin scopes. */
                admin: boolean;
                legacy_guest: boolean;
              };
              links: {
                self: string;
              };
            };
            links: {
              self: string;
            };
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description No such user. */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
  version: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The version. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            version: string;
          };
        };
      };
      /** @description Missing, unknown or expired token. */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
      /** @description The token lacks urn:mas:admin. */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            errors: {
              title: string;
            }[];
          };
        };
      };
    };
  };
}
