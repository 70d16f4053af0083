/**
 * Registration requests shaped like the ones real Matrix clients send (MSC2966). Only
 * imported by specs. There are no verbatim bodies to copy, so these follow what each SDK is documented
 * to send.
 */

/** matrix-js-sdk `registerOidcClient` for Element Web: the three page URIs only on its own host. */
export const ELEMENT_WEB = {
  client_name: 'Element',
  client_uri: 'https://app.element.io/',
  response_types: ['code'],
  grant_types: ['authorization_code', 'refresh_token'],
  redirect_uris: ['https://app.element.io/?no_universal_links=true'],
  id_token_signed_response_alg: 'RS256',
  token_endpoint_auth_method: 'none',
  application_type: 'web',
  contacts: ['support@element.io'],
  logo_uri: 'https://app.element.io/vector-icons/1024.png',
} as const;

/** matrix-js-sdk 43 `OAuth2.registerClient` defaults, device flow advertised (MSC4108 QR login). */
export const JS_SDK_43 = {
  client_name: 'js-sdk test client',
  client_uri: 'https://client.example.org/',
  redirect_uris: ['https://client.example.org/callback'],
  application_type: 'web',
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
} as const;

/** matrix-rust-sdk as used by Element X iOS: native, private-use scheme under element.io. */
export const ELEMENT_X_IOS = {
  application_type: 'native',
  client_name: 'Element X',
  client_uri: 'https://element.io',
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  logo_uri: 'https://element.io/mobile-icon.png',
  policy_uri: 'https://element.io/privacy',
  redirect_uris: ['io.element.elementx:/callback'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  tos_uri: 'https://element.io/acceptable-use-policy-terms',
} as const;

/** matrix-rust-sdk as used by Element X Android: the scheme with a bare `/` path. */
export const ELEMENT_X_ANDROID = {
  ...ELEMENT_X_IOS,
  redirect_uris: ['io.element.android:/'],
} as const;

/** Element Desktop: native, its own scheme plus nothing on the web. */
export const ELEMENT_DESKTOP = {
  client_name: 'Element',
  client_uri: 'https://element.io',
  application_type: 'native',
  redirect_uris: ['io.element.desktop:/vector/webapp/'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  id_token_signed_response_alg: 'RS256',
} as const;

/** A CLI or bot logging in through a loopback listener (RFC 8252 §7.3), all three loopback hosts. */
export const LOOPBACK_CLI = {
  client_name: 'matrix-commander',
  client_uri: 'https://example.org/commander',
  application_type: 'native',
  redirect_uris: ['http://localhost:41237/callback', 'http://127.0.0.1/', 'http://[::1]:8080/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'none',
} as const;

/** Every fixture that must register. */
export const REAL_WORLD_REGISTRATIONS = {
  'Element Web (js-sdk registerOidcClient)': ELEMENT_WEB,
  'js-sdk 43 OAuth2.registerClient': JS_SDK_43,
  'Element X iOS': ELEMENT_X_IOS,
  'Element X Android': ELEMENT_X_ANDROID,
  'Element Desktop': ELEMENT_DESKTOP,
  'a loopback CLI': LOOPBACK_CLI,
} as const;
