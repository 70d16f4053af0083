import { Logger } from '@nestjs/common';
import type { SyncStore } from '@gateway/sync-data';
import type { Authenticator } from '../auth/authenticator';
import type { WaiterIndex } from '../wake/waiter-index';

/**
 * MSC4306's subscribe (PUT) and unsubscribe (DELETE) of a thread, unstable and stable paths. The proxy
 * forwards them to the homeserver like any other request.
 */
export const THREAD_SUBSCRIPTION_CHANGE =
  /^\/_matrix\/client\/(?:v1|unstable\/io\.element\.msc4306)\/rooms\/[^/]+\/thread\/[^/]+\/subscription$/;

export interface ForwardedRequest {
  method: string;
  /** Path and query string, as the client sent them. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Thread subscriptions live in the homeserver, and the pollers' `/sync` v2 does not carry them: the
 * proxy only learns of a change when it passes through. After the homeserver accepted one, the user's
 * waiting long-polls are woken (on every replica, like a poller's batch) to read the change from the
 * homeserver. A change made around the proxy reaches the client with its next request instead.
 */
export class ThreadSubscriptionWake {
  private readonly logger = new Logger('ThreadSubscriptionWake');

  constructor(
    private readonly auth: Authenticator,
    private readonly store: SyncStore,
    private readonly waiters: WaiterIndex,
  ) {}

  /** Called once the homeserver's answer to a forwarded request has been passed on. */
  forwarded(request: ForwardedRequest, status: number): void {
    if (status !== 200 || (request.method !== 'PUT' && request.method !== 'DELETE')) return;
    const [path, search] = splitUrl(request.url);
    if (!THREAD_SUBSCRIPTION_CHANGE.test(path)) return;
    void this.wake(request.headers, Object.fromEntries(new URLSearchParams(search))).catch((err: unknown) => {
      // The change is in the homeserver; the long-poll just answers it later (at its next request).
      this.logger.warn(`could not wake long-polls for a thread subscription change: ${String(err)}`);
    });
  }

  private async wake(headers: ForwardedRequest['headers'], query: Record<string, string>): Promise<void> {
    // The homeserver accepted the token a moment ago, so this is nearly always the in-process cache.
    const identity = await this.auth.authenticate(this.auth.tokenFrom(headers, query));
    const seq = await this.store.nextSeq();
    await this.waiters.publish({ seq, rooms: [], users: [identity.userId] });
  }
}

function splitUrl(url: string): [string, string] {
  const at = url.indexOf('?');
  return at === -1 ? [url, ''] : [url.slice(0, at), url.slice(at + 1)];
}
