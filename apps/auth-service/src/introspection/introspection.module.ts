import { Module } from '@nestjs/common';
import { MembershipClientsModule } from '../membership-clients/membership-clients.module';
import type { AuthStore } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import { AUTH_STORE, CLOCK, USER_CACHE } from '../tokens';
import { IntrospectionRoute } from './introspection-route';
import { UserCache } from './user-cache';

/** Synapse's token introspection (MSC3861): the hot path, answered from the token and user rows. */
@Module({
  imports: [MembershipClientsModule],
  providers: [
    IntrospectionRoute,
    {
      provide: USER_CACHE,
      inject: [AUTH_STORE, CLOCK],
      useFactory: (store: AuthStore, clock: Clock) => new UserCache(store, clock),
    },
  ],
})
export class IntrospectionModule {}
