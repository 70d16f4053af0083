import { Controller, Get, HttpCode, Inject, Post, UseFilters, UseGuards } from '@nestjs/common';
import type { AuthStore, Page, StoredPayload } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import { z } from 'zod';
import { AdminApiErrorFilter } from '@gateway/server';
import { AUTH_STORE, CLOCK } from '../tokens';
import { AdminAuthGuard } from './admin-bearer.strategy';
import { notFound } from './not-found';
import { AdminInput, defineOperation, Operation, type ParsedInput } from './operation';
import {
  errorSchema,
  list,
  listAnswer,
  listSchema,
  pageRequest,
  paginationQuery,
  rawQuery,
  resource,
  single,
  singleSchema,
  timestamp,
  userFilter,
} from './resources';

// MAS's user-sessions resource: sessions of the browser at the auth service itself (signed in on its
// pages, no Matrix device). Ours are oidc-provider's Session rows, keyed by the SHA-256 of the cookie's
// session id, which is the resource id (the cookie value itself is never stored).
const TYPE = 'user-session';
const COLLECTION = 'user-sessions';
const TAG = 'user-session';
const attributes = z.object({
  created_at: timestamp(),
  finished_at: timestamp().nullable(),
  user_id: z.string(),
  user_agent: z.string().nullable(),
  last_active_at: timestamp().nullable(),
  last_active_ip: z.string().nullable(),
});
const oneSession = { 200: { description: 'The session.', schema: singleSchema(TYPE, attributes) } };
const error = (description: string) => ({ description, schema: errorSchema });
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};
const KEY = /^[0-9a-f]{64}$/;
const idParam = z.object({ id: z.string().min(1).max(255).meta({ description: 'The user session ID.' }) });
const none = z.object({});

export const listUserSessions = defineOperation({
  operationId: 'listUserSessions',
  method: 'get',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'List user sessions',
  description:
    'Browser sessions at the auth service. A session’s record is removed when it ends, so `filter[status]=finished` is always empty.',
  params: none,
  query: z.object({
    ...paginationQuery,
    'filter[user]': z.string().optional().meta({ description: 'Only this user’s sessions (user ID).' }),
    'filter[status]': z.enum(['active', 'finished']).optional(),
  }),
  body: undefined,
  responses: {
    200: { description: 'A page of sessions.', schema: listSchema(TYPE, attributes) },
    400: error('A bad filter or page parameter.'),
    404: error('The user in filter[user] does not exist.'),
    ...authErrors,
  },
});

export const getUserSession = defineOperation({
  operationId: 'getUserSession',
  method: 'get',
  path: `/${COLLECTION}/{id}`,
  tag: TAG,
  summary: 'Get a user session',
  params: idParam,
  query: none,
  body: undefined,
  responses: { ...oneSession, 404: error('No such live session.'), ...authErrors },
});

export const finishUserSession = defineOperation({
  operationId: 'finishUserSession',
  method: 'post',
  path: `/${COLLECTION}/{id}/finish`,
  tag: TAG,
  summary: 'End a user session',
  description:
    'The browser is signed out of the auth service at once. Its OAuth 2.0 and compatibility sessions (Matrix devices) are not ended.',
  params: idParam,
  query: none,
  body: undefined,
  responses: {
    ...oneSession,
    404: error('No such live session (unknown, or already ended).'),
    ...authErrors,
  },
});

/** `/api/admin/v1/user-sessions`: users' browser sessions at the auth service. */
@Controller('api/admin/v1/user-sessions')
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class UserSessionsController {
  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Operation(listUserSessions)
  async list(@AdminInput(listUserSessions) { query }: ParsedInput<typeof listUserSessions>) {
    const page = pageRequest(query, (cursor) => KEY.test(cursor));
    const accountId = await userFilter(this.store.users, query['filter[user]']);
    // Ended sessions are deleted by oidc-provider: there are none to list.
    if (query['filter[status]'] === 'finished') {
      const empty: Page<{ key: string; payload: StoredPayload }> = {
        items: [],
        hasNext: false,
        hasPrevious: false,
      };
      return list(COLLECTION, rawQuery(query), query.count === 'only' ? null : empty, 0, toResource);
    }
    const payloads = this.store.payloads;
    return listAnswer(
      COLLECTION,
      query,
      {
        count: () => payloads.countBrowserSessions(accountId),
        page: () => payloads.listBrowserSessions(accountId, page),
      },
      toResource,
    );
  }

  @Get(':id')
  @Operation(getUserSession)
  async get(@AdminInput(getUserSession) { params }: ParsedInput<typeof getUserSession>) {
    return single(toResource(await this.live(params.id)));
  }

  @Post(':id/finish')
  @HttpCode(200)
  @Operation(finishUserSession)
  async finish(@AdminInput(finishUserSession) { params }: ParsedInput<typeof finishUserSession>) {
    const session = await this.live(params.id);
    await this.store.payloads.destroy('Session', session.key);
    return single(toResource(session, new Date(this.clock())));
  }

  private async live(id: string): Promise<{ key: string; payload: StoredPayload }> {
    const payload = KEY.test(id) ? await this.store.payloads.find('Session', id) : undefined;
    if (payload === undefined || typeof payload['accountId'] !== 'string') throw notFound('User session', id);
    return { key: id, payload };
  }
}

function toResource(s: { key: string; payload: StoredPayload }, finishedAt: Date | null = null) {
  // oidc-provider's loginTs is in seconds.
  const loginTs = Number(s.payload['loginTs'] ?? 0);
  return resource(TYPE, COLLECTION, s.key, {
    created_at: new Date(loginTs * 1000).toISOString(),
    finished_at: finishedAt?.toISOString() ?? null,
    user_id: String(s.payload['accountId']),
    // oidc-provider keeps neither the browser's user agent nor any activity for its sessions.
    user_agent: null,
    last_active_at: null,
    last_active_ip: null,
  });
}
