import { Module } from '@nestjs/common';
import { SyncStore } from '@gateway/sync-data';
import { Authenticator } from './authenticator';
import { TokenCipher } from './token-cipher';
import { WhoamiClient } from './whoami-client';

export interface AuthOptions {
  /** The homeserver that verifies tokens (`/account/whoami`). */
  upstream: string;
  /** SYNCV3_SECRET: the key stored tokens are encrypted with is derived from it. */
  secret: string;
}
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

/** Who is asking: access tokens verified upstream, cached, and stored encrypted for the pollers. */
@Module({
  providers: [
    {
      provide: TokenCipher,
      inject: [AUTH_OPTIONS],
      useFactory: (o: AuthOptions) => TokenCipher.fromSecret(o.secret),
    },
    {
      provide: Authenticator,
      inject: [AUTH_OPTIONS, SyncStore, TokenCipher],
      useFactory: (o: AuthOptions, store: SyncStore, cipher: TokenCipher) =>
        new Authenticator({ store: store.tokens, whoami: new WhoamiClient(o.upstream), cipher }),
    },
  ],
  exports: [Authenticator, TokenCipher],
})
export class AuthModule {}
