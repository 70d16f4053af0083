import { Controller, Get, HttpCode, Inject, Post, UseFilters, UseGuards } from '@nestjs/common';
import type { AuthStore, CompatSession, CompatSessionFilter } from '@gateway/auth-data';
import { z } from 'zod';
import { AdminApiError, AdminApiErrorFilter } from '@gateway/server';
import type { CompatLogin } from '../compat/compat-login';
import { AUTH_STORE, COMPAT_LOGIN } from '../tokens';
import { AdminAuthGuard } from './admin-bearer.strategy';
import { notFound } from './not-found';
import { AdminInput, defineOperation, Operation, type ParsedInput } from './operation';
import {
  errorSchema,
  listAnswer,
  listSchema,
  pageRequest,
  paginationQuery,
  resource,
  single,
  singleSchema,
  timestamp,
  userFilter,
} from './resources';

// MAS's compat-sessions resource (sessions of the legacy /login API), same names and shapes.
const TYPE = 'compat-session';
const COLLECTION = 'compat-sessions';
const TAG = 'compat-session';
const attributes = z.object({
  user_id: z.string(),
  device_id: z.string().nullable(),
  user_session_id: z.string().nullable(),
  redirect_uri: z.string().nullable(),
  created_at: timestamp(),
  user_agent: z.string().nullable(),
  last_active_at: timestamp().nullable(),
  last_active_ip: z.string().nullable(),
  finished_at: timestamp().nullable(),
  human_name: z.string().nullable(),
});
const oneSession = { 200: { description: 'The session.', schema: singleSchema(TYPE, attributes) } };
const error = (description: string) => ({ description, schema: errorSchema });
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idParam = z.object({ id: z.string().min(1).max(255).meta({ description: 'The compat session ID.' }) });
const none = z.object({});

export const listCompatSessions = defineOperation({
  operationId: 'listCompatSessions',
  method: 'get',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'List compatibility sessions',
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

export const getCompatSession = defineOperation({
  operationId: 'getCompatSession',
  method: 'get',
  path: `/${COLLECTION}/{id}`,
  tag: TAG,
  summary: 'Get a compatibility session',
  params: idParam,
  query: none,
  body: undefined,
  responses: { ...oneSession, 404: error('No such session.'), ...authErrors },
});

export const finishCompatSession = defineOperation({
  operationId: 'finishCompatSession',
  method: 'post',
  path: `/${COLLECTION}/{id}/finish`,
  tag: TAG,
  summary: 'End a compatibility session',
  description: 'Its tokens stop working at once and its device is deleted on the homeserver.',
  params: idParam,
  query: none,
  body: undefined,
  responses: {
    ...oneSession,
    400: error('The session is already finished.'),
    404: error('No such session.'),
    ...authErrors,
  },
});

/** `/api/admin/v1/compat-sessions`: the Matrix sessions of the legacy login API (and imported tokens). */
@Controller('api/admin/v1/compat-sessions')
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class CompatSessionsController {
  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(COMPAT_LOGIN) private readonly compat: CompatLogin,
  ) {}

  @Get()
  @Operation(listCompatSessions)
  async list(@AdminInput(listCompatSessions) { query }: ParsedInput<typeof listCompatSessions>) {
    const page = pageRequest(query, (cursor) => UUID.test(cursor));
    const filter: CompatSessionFilter = { userId: await userFilter(this.store.users, query['filter[user]']) };
    if (query['filter[status]'] !== undefined) filter.status = query['filter[status]'];
    const repo = this.store.compat;
    return listAnswer(
      COLLECTION,
      query,
      { count: () => repo.count(filter), page: () => repo.list(filter, page) },
      toResource,
    );
  }

  @Get(':id')
  @Operation(getCompatSession)
  async get(@AdminInput(getCompatSession) { params }: ParsedInput<typeof getCompatSession>) {
    const session = await this.store.compat.findById(params.id);
    if (!session) throw notFound('Compatibility session', params.id);
    return single(toResource(session));
  }

  @Post(':id/finish')
  @HttpCode(200)
  @Operation(finishCompatSession)
  async finish(@AdminInput(finishCompatSession) { params }: ParsedInput<typeof finishCompatSession>) {
    const session = await this.store.compat.findById(params.id);
    if (!session) throw notFound('Compatibility session', params.id);
    // The legacy layer's own end: tokens dropped, then the device deleted in Synapse (or by the retried job).
    if (session.finishedAt !== null || !(await this.compat.endSession(session.userId, session.id)))
      throw new AdminApiError(400, `Compatibility session ID ${params.id} is already finished`);
    return single(toResource((await this.store.compat.findById(session.id)) ?? session));
  }
}

function toResource(s: CompatSession) {
  return resource(TYPE, COLLECTION, s.id, {
    user_id: s.userId,
    device_id: s.deviceId,
    user_session_id: null,
    redirect_uri: null,
    created_at: s.createdAt.toISOString(),
    user_agent: null,
    last_active_at: s.lastActiveAt?.toISOString() ?? null,
    last_active_ip: s.lastActiveIp ?? null,
    finished_at: s.finishedAt?.toISOString() ?? null,
    human_name: null,
  });
}
