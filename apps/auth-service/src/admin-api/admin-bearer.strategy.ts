import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { AdminApiError } from '@gateway/server';
import { ADMIN_TOKENS } from '../tokens';
import type { AdminCaller, AdminRefusal, AdminTokens } from './admin-token';

type Done = (err: unknown, caller?: AdminCaller | false, refusal?: AdminRefusal) => void;

/**
 * A passport strategy (the interface passport calls: `authenticate` and the `success`/`fail`/`error`
 * it sets on each request's copy) reading `Authorization: Bearer <token>` and handing the token to a
 * verify callback. Written here rather than taken from passport-http-bearer: the refusal must carry
 * MAS's status and title through to the answer, which that package's challenge strings cannot.
 */
class BearerStrategy {
  readonly name = 'bearer';
  declare success: (caller: AdminCaller) => void;
  declare fail: (refusal: AdminRefusal, status: number) => void;
  declare error: (err: unknown) => void;

  constructor(private readonly verify: (token: string, done: Done) => void) {}

  authenticate(req: { headers: Record<string, string | string[] | undefined> }): void {
    const header = req.headers['authorization'];
    if (header === undefined) {
      this.fail({ status: 401, title: 'Missing Authorization header' }, 401);
      return;
    }
    const match = typeof header === 'string' ? /^Bearer +([^\s]+) *$/i.exec(header) : null;
    if (!match?.[1]) {
      this.fail({ status: 401, title: 'Invalid Authorization header' }, 401);
      return;
    }
    this.verify(match[1], (err, caller, refusal) => {
      if (err) this.error(err);
      else if (caller) this.success(caller);
      else this.fail(refusal ?? { status: 401, title: 'Unknown access token' }, refusal?.status ?? 401);
    });
  }
}

export const ADMIN_STRATEGY = 'admin-bearer';

/** The admin API's passport strategy: a Bearer token carrying urn:mas:admin (see AdminTokens). */
@Injectable()
export class AdminBearerStrategy extends PassportStrategy(BearerStrategy, ADMIN_STRATEGY) {
  constructor(@Inject(ADMIN_TOKENS) private readonly tokens: AdminTokens) {
    super();
  }

  // Called by the mixin with (token, done); a refusal is passed on as passport's "info".
  async validate(token: string): Promise<[AdminCaller | false, AdminRefusal?]> {
    const result = await this.tokens.check(token);
    return 'kind' in result ? [result] : [false, result];
  }
}

/** Guards every admin controller: refusals become MAS's `{errors: [{title}]}` with 401 or 403. */
@Injectable()
export class AdminAuthGuard extends AuthGuard(ADMIN_STRATEGY) {
  override handleRequest<T>(err: unknown, caller: T, info: unknown, _context: ExecutionContext): T {
    if (err) throw err instanceof Error ? err : new Error('admin token check failed', { cause: err });
    if (!caller) {
      const refusal = isRefusal(info) ? info : { status: 401, title: 'Unknown access token' };
      throw new AdminApiError(refusal.status, refusal.title);
    }
    return caller;
  }
}

function isRefusal(v: unknown): v is AdminRefusal {
  return typeof v === 'object' && v !== null && 'status' in v && 'title' in v;
}
