import { Controller, Get, HttpCode, Inject, Post, UseFilters, UseGuards } from '@nestjs/common';
import type { AuthStore, Session, SessionFilter } from '@gateway/auth-data';
import { z } from 'zod';
import { AdminApiError, AdminApiErrorFilter } from '@gateway/server';
import type { SessionEnd } from '../sessions/session-end';
import { AUTH_STORE, SESSION_END } from '../tokens';
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

const attributes = z.object({
  created_at: timestamp(),
  finished_at: timestamp().nullable(),
  user_id: z.string().nullable(),
  user_session_id: z.string().nullable(),
  client_id: z.string(),
  scope: z.string(),
  user_agent: z.string().nullable(),
  last_active_at: timestamp().nullable(),
  last_active_ip: z.string().nullable(),
  human_name: z.string().nullable(),
});
const TYPE = 'oauth2-session';
const TAG = 'oauth2-session';
const error = (description: string) => ({ description, schema: errorSchema });
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};
const idParam = z.object({ id: z.string().min(1).max(255).meta({ description: 'The session ID.' }) });
const none = z.object({});
const oneSession = { 200: { description: 'The session.', schema: singleSchema(TYPE, attributes) } };

export const listOAuth2Sessions = defineOperation({
  operationId: 'listOAuth2Sessions',
  method: 'get',
  path: '/oauth2-sessions',
  tag: TAG,
  summary: 'List OAuth 2.0 sessions',
  params: none,
  query: z.object({
    ...paginationQuery,
    'filter[user]': z.string().optional().meta({ description: 'Only this user’s sessions (user ID).' }),
    'filter[client]': z.string().optional().meta({ description: 'Only this client’s sessions.' }),
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

export const getOAuth2Session = defineOperation({
  operationId: 'getOAuth2Session',
  method: 'get',
  path: '/oauth2-sessions/{id}',
  tag: TAG,
  summary: 'Get an OAuth 2.0 session',
  params: idParam,
  query: none,
  body: undefined,
  responses: { ...oneSession, 404: error('No such session.'), ...authErrors },
});

export const finishOAuth2Session = defineOperation({
  operationId: 'finishOAuth2Session',
  method: 'post',
  path: '/oauth2-sessions/{id}/finish',
  tag: TAG,
  summary: 'End an OAuth 2.0 session',
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

/** `/api/admin/v1/oauth2-sessions`: the Matrix sessions made through OAuth 2.0 grants. */
@Controller('api/admin/v1/oauth2-sessions')
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class OAuth2SessionsController {
  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(SESSION_END) private readonly sessionEnd: SessionEnd,
  ) {}

  @Get()
  @Operation(listOAuth2Sessions)
  async list(@AdminInput(listOAuth2Sessions) { query }: ParsedInput<typeof listOAuth2Sessions>) {
    const page = pageRequest(query);
    const filter: SessionFilter = { userId: await userFilter(this.store.users, query['filter[user]']) };
    if (query['filter[client]'] !== undefined) filter.clientId = query['filter[client]'];
    if (query['filter[status]'] !== undefined) filter.status = query['filter[status]'];
    const repo = this.store.sessions;
    // Each listed session's scope, read before the page is turned into resources.
    const scopes = new Map<string, string>();
    const sessions = async () => {
      const found = await repo.list(filter, page);
      for (const s of found.items) scopes.set(s.grantId, await this.scopeOf(s.grantId));
      return found;
    };
    return listAnswer('oauth2-sessions', query, { count: () => repo.count(filter), page: sessions }, (s) =>
      toResource(s, scopes.get(s.grantId) ?? ''),
    );
  }

  @Get(':id')
  @Operation(getOAuth2Session)
  async get(@AdminInput(getOAuth2Session) { params }: ParsedInput<typeof getOAuth2Session>) {
    const session = await this.store.sessions.findByGrantId(params.id);
    if (!session) throw notFound('OAuth 2.0 session', params.id);
    return single(toResource(session, await this.scopeOf(session.grantId)));
  }

  @Post(':id/finish')
  @HttpCode(200)
  @Operation(finishOAuth2Session)
  async finish(@AdminInput(finishOAuth2Session) { params }: ParsedInput<typeof finishOAuth2Session>) {
    const session = await this.store.sessions.findByGrantId(params.id);
    if (!session) throw notFound('OAuth 2.0 session', params.id);
    if (session.finishedAt !== null)
      throw new AdminApiError(400, `OAuth 2.0 session ID ${params.id} is already finished`);
    const scope = await this.scopeOf(session.grantId);
    // Its tokens go first (introspection stops answering for them), then the session ends and its
    // device is deleted in Synapse by the retried job, as a revocation does.
    await this.store.payloads.revokeByGrantId(session.grantId);
    await this.store.payloads.destroy('Grant', session.grantId);
    await this.sessionEnd.grantRevoked(session.grantId);
    const finished = (await this.store.sessions.findByGrantId(session.grantId)) ?? session;
    return single(toResource(finished, scope));
  }

  /** The scopes granted, from oidc-provider's stored grant (empty once the grant is gone). */
  private async scopeOf(grantId: string): Promise<string> {
    const grant = await this.store.payloads.find('Grant', grantId);
    if (!grant) return '';
    const scopes = new Set<string>();
    const add = (value: unknown) => {
      if (typeof value === 'string') for (const s of value.split(' ')) if (s !== '') scopes.add(s);
    };
    const openid = grant['openid'];
    if (typeof openid === 'object' && openid !== null) add((openid as { scope?: unknown }).scope);
    const resources = grant['resources'];
    if (typeof resources === 'object' && resources !== null) for (const v of Object.values(resources)) add(v);
    return [...scopes].sort().join(' ');
  }
}

function toResource(session: Session, scope: string) {
  return resource(TYPE, 'oauth2-sessions', session.grantId, {
    created_at: session.createdAt.toISOString(),
    finished_at: session.finishedAt?.toISOString() ?? null,
    user_id: session.userId,
    user_session_id: null,
    client_id: session.clientId,
    scope,
    user_agent: null,
    last_active_at: session.lastActiveAt?.toISOString() ?? null,
    last_active_ip: session.lastActiveIp,
    human_name: null,
  });
}
