/** The OpenID token a client obtains from `/_matrix/client/v3/user/{userId}/openid/request_token`. */
export interface OpenIdToken {
  access_token: string;
  token_type: string;
  matrix_server_name: string;
  expires_in: number;
}

/** What `/_matrix/federation/v1/openid/userinfo` answers for a valid token. */
export interface OpenIdUserInfo {
  sub: string;
}
