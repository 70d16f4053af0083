import { Module } from '@nestjs/common';
import { FORWARDING_OPTIONS, ForwardingMount, type ForwardingOptions } from './forwarding-mount';
import { UpstreamForwarder } from './upstream-forwarder';

/** Makes the proxy the client-facing homeserver base URL: whatever is not its own goes upstream. */
@Module({
  providers: [
    {
      provide: UpstreamForwarder,
      inject: [FORWARDING_OPTIONS],
      useFactory: (o: ForwardingOptions) => new UpstreamForwarder(o.upstream),
    },
    ForwardingMount,
  ],
})
export class ForwardingModule {}
