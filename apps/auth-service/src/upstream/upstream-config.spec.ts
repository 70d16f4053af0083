import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gateway/config';
import { loadAuthConfig } from '../config';
import { renderTemplate } from './claims-template';

const BASE = {
  AUTH_ISSUER: 'https://auth.example.com/',
  AUTH_DATABASE_URL: 'postgres://auth@db/auth',
  AUTH_REDIS_URL: 'redis://redis:6379',
  AUTH_HOMESERVER: 'example.com',
  AUTH_SYNAPSE_URL: 'http://synapse:8008/',
  AUTH_SYNAPSE_SECRET: 'a-secret-given-directly',
  AUTH_SIGNING_KEY_FILE: '/keys/jwks.json',
};

const dir = mkdtempSync(join(tmpdir(), 'auth-upstream-cfg-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function problemsOf(yaml: string): readonly string[] {
  try {
    loadAuthConfig({ ...BASE, AUTH_UPSTREAM_OAUTH2_FILE: file('bad.yaml', yaml) });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('accepted');
}

const MINIMAL = `providers:
  - id: 01JAAAAAAAAAAAAAAAAAAAAAAA
    issuer: https://id.example.org/
    client_id: gateway
    client_secret: s3cret
`;

describe('AUTH_UPSTREAM_OAUTH2_FILE', () => {
  it("reads MAS's whole config file, with MAS's defaults and the secret from a file", () => {
    const secret = file('secret', 'from-a-file\n');
    const config = loadAuthConfig({
      ...BASE,
      AUTH_UPSTREAM_OAUTH2_FILE: file(
        'mas.yaml',
        `http: { public_base: https://auth.example.com/ }
upstream_oauth2:
  providers:
    - id: 01JAAAAAAAAAAAAAAAAAAAAAAA
      human_name: Example ID
      brand_name: google
      issuer: https://id.example.org/
      client_id: gateway
      client_secret_file: ${secret}
      token_endpoint_auth_method: client_secret_post
      scope: openid profile email
      pkce_method: always
      response_mode: form_post
      fetch_userinfo: true
      synapse_idp_id: oidc-example
      claims_imports:
        localpart: { action: require, template: "{{ user.preferred_username | lower }}", on_conflict: add }
        displayname: { action: suggest }
        email: { action: force }
        account_name: { template: "{{ user.email }}" }
    - id: second
      issuer: https://other.example.org/
      client_id: gw
      enabled: false
    - id: manual
      issuer: https://manual.example.org/
      client_id: gw
      token_endpoint_auth_method: none
      discovery_mode: disabled
      authorization_endpoint: https://manual.example.org/auth
      token_endpoint: https://manual.example.org/token
      jwks_uri: https://manual.example.org/jwks
`,
      ),
    });
    const [first, manual] = config.upstream.providers;
    expect(config.upstream.providers).toHaveLength(2);
    expect(config.upstream.disabledCount).toBe(1);
    expect(config.upstream.warnings).toEqual([]);
    expect(first).toMatchObject({
      id: '01JAAAAAAAAAAAAAAAAAAAAAAA',
      humanName: 'Example ID',
      brandName: 'google',
      clientSecret: 'from-a-file',
      authMethod: 'client_secret_post',
      scope: 'openid profile email',
      discovery: { mode: 'oidc' },
      pkce: 'always',
      responseMode: 'form_post',
      fetchUserinfo: true,
      synapseIdpId: 'oidc-example',
      uiOrder: 0,
    });
    expect(first?.claims.localpart.action).toBe('require');
    expect(first?.claims.localpart.onConflict).toBe('add');
    expect(first?.claims.displayname.action).toBe('suggest');
    const claims = { sub: 's1', preferred_username: 'Alice', name: 'Alice A', email: 'a@x.org' };
    expect(renderTemplate(first!.claims.localpart.template, claims)).toBe('alice');
    expect(renderTemplate(first!.claims.displayname.template, claims)).toBe('Alice A');
    expect(renderTemplate(first!.claims.subject, claims)).toBe('s1');
    expect(renderTemplate(first!.claims.accountName!, claims)).toBe('a@x.org');
    expect(manual).toMatchObject({
      id: 'manual',
      clientSecret: null,
      authMethod: 'none',
      pkce: 'auto',
      responseMode: 'query',
      uiOrder: 2,
      discovery: {
        mode: 'disabled',
        authorizationEndpoint: 'https://manual.example.org/auth',
        userinfoEndpoint: null,
      },
    });
    // Defaults: nothing imported but the subject, conflicts fail.
    expect(manual?.claims.localpart).toMatchObject({ action: 'ignore', onConflict: 'fail' });
    expect(manual?.claims.accountName).toBeNull();
  });

  it('reads the upstream_oauth2 section alone, and nothing at all when unset', () => {
    const config = loadAuthConfig({ ...BASE, AUTH_UPSTREAM_OAUTH2_FILE: file('section.yaml', MINIMAL) });
    expect(config.upstream.providers.map((p) => [p.id, p.authMethod, p.scope])).toEqual([
      ['01JAAAAAAAAAAAAAAAAAAAAAAA', 'client_secret_basic', 'openid'],
    ]);
    expect(loadAuthConfig(BASE).upstream).toEqual({ providers: [], disabledCount: 0, warnings: [] });
  });

  it("takes MAS's on_backchannel_logout, do_nothing by default, and names a wrong value", () => {
    const parse = (extra: string) =>
      loadAuthConfig({ ...BASE, AUTH_UPSTREAM_OAUTH2_FILE: file('bcl.yaml', `${MINIMAL}${extra}`) }).upstream
        .providers[0]?.onBackchannelLogout;
    expect(parse('')).toBe('do_nothing');
    expect(parse('    on_backchannel_logout: logout_browser_only\n')).toBe('logout_browser_only');
    expect(parse('    on_backchannel_logout: logout_all\n')).toBe('logout_all');
    expect(problemsOf(`${MINIMAL}    on_backchannel_logout: everything\n`)[0]).toMatch(
      /^AUTH_UPSTREAM_OAUTH2_FILE: providers\[0\]\.on_backchannel_logout: /,
    );
  });

  it("warns once per key it does not use (MAS's configs carry more)", () => {
    const config = loadAuthConfig({
      ...BASE,
      AUTH_UPSTREAM_OAUTH2_FILE: file(
        'extra.yaml',
        `${MINIMAL}    forward_login_hint: true
    claims_imports:
      skip_confirmation: true
      email: { action: suggest, set_email_verification: import }
`,
      ),
    });
    expect(config.upstream.warnings).toEqual([
      'AUTH_UPSTREAM_OAUTH2_FILE: providers[0].forward_login_hint: not supported, ignored',
      'AUTH_UPSTREAM_OAUTH2_FILE: providers[0].claims_imports.skip_confirmation: not supported, ignored',
      'AUTH_UPSTREAM_OAUTH2_FILE: providers[0].claims_imports.email.set_email_verification: not supported, ignored',
    ]);
  });

  it('stops the service naming the variable, the provider and the field', () => {
    expect(
      problemsOf(MINIMAL.replace('client_id: gateway', 'client_id: gateway\n    scope: profile')),
    ).toEqual(['AUTH_UPSTREAM_OAUTH2_FILE: providers[0].scope: must contain openid']);
    expect(problemsOf(`${MINIMAL}    token_endpoint_auth_method: sign_in_with_apple\n`)).toEqual([
      'AUTH_UPSTREAM_OAUTH2_FILE: providers[0].token_endpoint_auth_method: sign_in_with_apple is not supported here; use none, client_secret_basic, client_secret_post, client_secret_jwt or private_key_jwt',
    ]);
    expect(problemsOf(MINIMAL.replace('01JAAAAAAAAAAAAAAAAAAAAAAA', 'no spaces allowed'))).toEqual([
      'AUTH_UPSTREAM_OAUTH2_FILE: providers[0].id: must be a ULID or 1-64 characters of [A-Za-z0-9_-]',
    ]);
    expect(
      problemsOf(`${MINIMAL}    claims_imports:\n      localpart: { template: "{{ user.name | upper }}" }\n`),
    ).toEqual([
      `AUTH_UPSTREAM_OAUTH2_FILE: providers[0].claims_imports.localpart.template: template: unsupported filter "upper": use lower, capitalize or default('text')`,
    ]);
    expect(problemsOf(`${MINIMAL}    claims_imports:\n      localpart: { on_conflict: merge }\n`)[0]).toMatch(
      /^AUTH_UPSTREAM_OAUTH2_FILE: providers\[0\]\.claims_imports\.localpart\.on_conflict: /,
    );
    expect(problemsOf(`${MINIMAL}    discovery_mode: disabled\n`)).toEqual([
      'AUTH_UPSTREAM_OAUTH2_FILE: providers[0].authorization_endpoint: required when discovery_mode is disabled',
      'AUTH_UPSTREAM_OAUTH2_FILE: providers[0].token_endpoint: required when discovery_mode is disabled',
      'AUTH_UPSTREAM_OAUTH2_FILE: providers[0].jwks_uri: required when discovery_mode is disabled',
    ]);
    expect(problemsOf(`${MINIMAL}    client_secret_file: /nonexistent/secret\n`)).toEqual([
      'AUTH_UPSTREAM_OAUTH2_FILE: providers[0].client_secret: set it or client_secret_file, not both',
    ]);
    expect(
      problemsOf(
        MINIMAL.replace(
          '    client_secret: s3cret\n',
          '    token_endpoint_auth_method: client_secret_basic\n',
        ),
      ),
    ).toEqual(['AUTH_UPSTREAM_OAUTH2_FILE: providers[0].client_secret: required with client_secret_basic']);
    expect(problemsOf(`${MINIMAL}${MINIMAL.replace('providers:\n', '')}`)).toEqual([
      'AUTH_UPSTREAM_OAUTH2_FILE: providers[1].id: 01JAAAAAAAAAAAAAAAAAAAAAAA is listed twice',
    ]);
    expect(problemsOf('providers: [')[0]).toMatch(/^AUTH_UPSTREAM_OAUTH2_FILE: not valid YAML/);
    expect(problemsOf('providers: 3')).toEqual(['AUTH_UPSTREAM_OAUTH2_FILE: providers must be a list']);
    expect(problemsOf(MINIMAL.replace('https://id.example.org/', 'ftp://id.example.org/'))).toEqual([
      'AUTH_UPSTREAM_OAUTH2_FILE: providers[0].issuer: must be an http(s) URL',
    ]);
  });
  it("takes the JWT client authentications with MAS's fields: a secret and an HMAC, or the service's key", () => {
    const WITHOUT_SECRET = MINIMAL.replace('    client_secret: s3cret\n', '');
    const parse = (yaml: string) =>
      loadAuthConfig({ ...BASE, AUTH_UPSTREAM_OAUTH2_FILE: file('jwt.yaml', yaml) }).upstream.providers[0];
    expect(
      parse(
        `${MINIMAL}    token_endpoint_auth_method: client_secret_jwt\n    token_endpoint_auth_signing_alg: HS512\n`,
      ),
    ).toMatchObject({ authMethod: 'client_secret_jwt', signingAlg: 'HS512', clientSecret: 's3cret' });
    expect(
      parse(
        `${WITHOUT_SECRET}    token_endpoint_auth_method: private_key_jwt\n    token_endpoint_auth_signing_alg: ES256\n`,
      ),
    ).toMatchObject({ authMethod: 'private_key_jwt', signingAlg: 'ES256', clientSecret: null });
    expect(parse(MINIMAL)).toMatchObject({ authMethod: 'client_secret_basic', signingAlg: null });

    const where = 'AUTH_UPSTREAM_OAUTH2_FILE: providers[0]';
    expect(problemsOf(`${MINIMAL}    token_endpoint_auth_method: client_secret_jwt\n`)).toEqual([
      `${where}.token_endpoint_auth_signing_alg: required with client_secret_jwt; one of HS256, HS384, HS512`,
    ]);
    expect(
      problemsOf(
        `${MINIMAL}    token_endpoint_auth_method: client_secret_jwt\n    token_endpoint_auth_signing_alg: RS256\n`,
      ),
    ).toEqual([
      `${where}.token_endpoint_auth_signing_alg: RS256 is not supported with client_secret_jwt; one of HS256, HS384, HS512`,
    ]);
    expect(
      problemsOf(
        `${WITHOUT_SECRET}    token_endpoint_auth_method: client_secret_jwt\n    token_endpoint_auth_signing_alg: HS256\n`,
      ),
    ).toEqual([`${where}.client_secret: required with client_secret_jwt`]);
    expect(
      problemsOf(
        `${MINIMAL}    token_endpoint_auth_method: private_key_jwt\n    token_endpoint_auth_signing_alg: RS256\n`,
      ),
    ).toEqual([`${where}.token_endpoint_auth_method: private_key_jwt takes no client secret`]);
    expect(
      problemsOf(
        `${WITHOUT_SECRET}    token_endpoint_auth_method: private_key_jwt\n    token_endpoint_auth_signing_alg: HS256\n`,
      ),
    ).toEqual([
      `${where}.token_endpoint_auth_signing_alg: HS256 is not supported with private_key_jwt; one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512`,
    ]);
    expect(problemsOf(`${MINIMAL}    token_endpoint_auth_signing_alg: HS256\n`)).toEqual([
      `${where}.token_endpoint_auth_signing_alg: only with client_secret_jwt or private_key_jwt`,
    ]);
  });
});
