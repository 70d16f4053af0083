/**
 * `GET /login` as MAS answers it in delegated mode: passwords, the SSO redirect marked for OAuth-aware
 * clients (MSC3824: `oauth_aware_preferred`, and the older delegated-OIDC flag), and login tokens.
 */
export const LOGIN_FLOWS = Object.freeze({
  flows: [
    { type: 'm.login.password' },
    {
      type: 'm.login.sso',
      oauth_aware_preferred: true,
      'org.matrix.msc3824.delegated_oidc_compatibility': true,
    },
    { type: 'm.login.token' },
  ],
});

/** The flows without `m.login.password`, for AUTH_PASSWORD_LOGIN_ENABLED=false. */
export const LOGIN_FLOWS_WITHOUT_PASSWORD = Object.freeze({
  flows: LOGIN_FLOWS.flows.filter((f) => f.type !== 'm.login.password'),
});
