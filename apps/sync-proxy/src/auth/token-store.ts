/** Where verified access tokens are kept (implemented over Postgres by @gateway/sync-data). */
export interface StoredToken {
  userId: string;
  deviceId: string;
  verifiedAt: Date;
  /** Set once the homeserver answered 401 for this token. */
  invalid: boolean;
}

export interface TokenStore {
  /** Looks a token up by the SHA-256 of its text. */
  find(tokenHash: Buffer): Promise<StoredToken | null>;
  /** Upserts a token the homeserver just vouched for (verified_at = now, valid again). */
  save(tokenHash: Buffer, tokenEnc: Buffer, userId: string, deviceId: string): Promise<void>;
  markInvalid(tokenHash: Buffer): Promise<void>;
}

/** Who a request is from, once the token is accepted. */
export interface Identity {
  userId: string;
  deviceId: string;
  /** The access token itself: the device's poller syncs with it. */
  token: string;
  tokenHash: Buffer;
}
