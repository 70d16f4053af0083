import { Controller, Get, HttpCode, Inject, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import type { AuthStore, PersonalSession, PersonalSessionFilter } from '@gateway/auth-data';
import { z } from 'zod';
import type {
  IssuedPersonalToken,
  PersonalTokenProblem,
  PersonalTokens,
} from '../personal-tokens/personal-tokens';
import { AdminApiError, AdminApiErrorFilter } from '@gateway/server';
import { MAX_LIFETIME_SECONDS, MAX_NAME_LENGTH } from '../personal-tokens/personal-token-rules';
import { SynapseCallError } from '../synapse/synapse-call-error';
import { AUTH_STORE, PERSONAL_TOKENS } from '../tokens';
import { AdminAuthGuard } from './admin-bearer.strategy';
import { notFound } from './not-found';
import type { AdminCaller } from './admin-token';
import { AdminInput, defineOperation, Operation, type ParsedInput } from './operation';
import {
  errorSchema,
  existingUser,
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

// MAS's personal-sessions resource (admin-issued personal access tokens), same names and shapes.
const TYPE = 'personal-session';
const COLLECTION = 'personal-sessions';
const TAG = 'personal-session';
const attributes = z.object({
  created_at: timestamp(),
  revoked_at: timestamp().nullable(),
  owner_user_id: z.string().nullable().meta({ description: 'The user who made the token, if a user did.' }),
  owner_client_id: z
    .string()
    .nullable()
    .meta({ description: 'The admin client that made the token, if a client did.' }),
  actor_user_id: z.string().meta({ description: 'The user the token acts as.' }),
  human_name: z.string(),
  scope: z.string(),
  last_active_at: timestamp().nullable(),
  last_active_ip: z.string().nullable(),
  expires_at: timestamp().nullable().meta({ description: 'When the live token expires; null if never.' }),
});
const withToken = attributes.extend({
  access_token: z.string().meta({ description: 'The token (`mpt_…`), shown only in this answer.' }),
});
const sessionSingle = singleSchema(TYPE, attributes);
const issuedSingle = singleSchema(TYPE, withToken);
const error = (description: string) => ({ description, schema: errorSchema });
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};
const idParam = z.object({
  id: z.string().min(1).max(255).meta({ description: 'The personal session ID.' }),
});
const none = z.object({});
const expiresIn = z
  .number()
  .int()
  .nullable()
  .optional()
  .meta({
    description: `Lifetime in seconds (60 to ${MAX_LIFETIME_SECONDS}); absent or null: never expires.`,
  });
const homeserverDown = error('The homeserver could not be reached; no token was issued.');

export const listPersonalSessions = defineOperation({
  operationId: 'listPersonalSessions',
  method: 'get',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'List personal sessions',
  params: none,
  query: z.object({
    ...paginationQuery,
    'filter[owner_user]': z.string().optional().meta({ description: 'Only tokens made by this user (ID).' }),
    'filter[owner_client]': z.string().optional().meta({ description: 'Only tokens made by this client.' }),
    'filter[actor_user]': z
      .string()
      .optional()
      .meta({ description: 'Only tokens acting as this user (ID).' }),
    'filter[status]': z.enum(['active', 'revoked']).optional(),
  }),
  body: undefined,
  responses: {
    200: { description: 'A page of personal sessions.', schema: listSchema(TYPE, attributes) },
    400: error('A bad filter or page parameter.'),
    404: error('The user in a user filter does not exist.'),
    ...authErrors,
  },
});

export const getPersonalSession = defineOperation({
  operationId: 'getPersonalSession',
  method: 'get',
  path: `/${COLLECTION}/{id}`,
  tag: TAG,
  summary: 'Get a personal session',
  params: idParam,
  query: none,
  body: undefined,
  responses: {
    200: { description: 'The session.', schema: sessionSingle },
    404: error('No such session.'),
    ...authErrors,
  },
});

export const createPersonalSession = defineOperation({
  operationId: 'createPersonalSession',
  method: 'post',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'Create a personal session with its access token',
  description:
    'The token acts as `actor_user_id` with `scope` (the Matrix API with one device, made in the homeserver ' +
    'first; the admin scopes only for admins). It is answered once and stored only as a hash.',
  params: none,
  query: none,
  body: z.object({
    actor_user_id: z.string().meta({ description: 'The user the token acts as.' }),
    human_name: z.string().min(1).max(MAX_NAME_LENGTH),
    scope: z.string().max(2048).meta({ description: 'Space-separated scopes.' }),
    expires_in: expiresIn,
  }),
  responses: {
    201: { description: 'The session and its token.', schema: issuedSingle },
    400: error('A bad name, scope or lifetime, or the user is locked or deactivated.'),
    404: error('No such user.'),
    503: homeserverDown,
    ...authErrors,
  },
});

export const revokePersonalSession = defineOperation({
  operationId: 'revokePersonalSession',
  method: 'post',
  path: `/${COLLECTION}/{id}/revoke`,
  tag: TAG,
  summary: 'Revoke a personal session',
  description: 'Its token stops working at once and its device is deleted on the homeserver.',
  params: idParam,
  query: none,
  body: undefined,
  responses: {
    200: { description: 'The revoked session.', schema: sessionSingle },
    400: error('The session is already revoked.'),
    404: error('No such session.'),
    ...authErrors,
  },
});

export const regeneratePersonalSession = defineOperation({
  operationId: 'regeneratePersonalSession',
  method: 'post',
  path: `/${COLLECTION}/{id}/regenerate`,
  tag: TAG,
  summary: 'Replace a personal session’s access token',
  description:
    'A new token for the same session; the old one is refused by this service at once (the homeserver may ' +
    'answer it from its introspection cache for up to 2 minutes).',
  params: idParam,
  query: none,
  body: z.object({ expires_in: expiresIn }),
  responses: {
    200: { description: 'The session and its new token.', schema: issuedSingle },
    400: error('A bad lifetime, or the session is revoked.'),
    404: error('No such session.'),
    ...authErrors,
  },
});

/** `/api/admin/v1/personal-sessions`: personal access tokens, made by users or for them. */
@Controller('api/admin/v1/personal-sessions')
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class PersonalSessionsController {
  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(PERSONAL_TOKENS) private readonly tokens: PersonalTokens,
  ) {}

  @Get()
  @Operation(listPersonalSessions)
  async list(@AdminInput(listPersonalSessions) { query }: ParsedInput<typeof listPersonalSessions>) {
    const page = pageRequest(query);
    const filter: PersonalSessionFilter = {
      ownerUserId: await userFilter(this.store.users, query['filter[owner_user]']),
      actorUserId: await userFilter(this.store.users, query['filter[actor_user]']),
    };
    if (query['filter[owner_client]'] !== undefined) filter.ownerClientId = query['filter[owner_client]'];
    if (query['filter[status]'] !== undefined) filter.status = query['filter[status]'];
    const repo = this.store.personal;
    return listAnswer(
      COLLECTION,
      query,
      { count: () => repo.count(filter), page: () => repo.list(filter, page) },
      toResource,
    );
  }

  @Get(':id')
  @Operation(getPersonalSession)
  async get(@AdminInput(getPersonalSession) { params }: ParsedInput<typeof getPersonalSession>) {
    const session = await this.store.personal.findById(params.id);
    if (!session) throw notFound('Personal session', params.id);
    return single(toResource(session));
  }

  @Post()
  @HttpCode(201)
  @Operation(createPersonalSession)
  async create(
    @AdminInput(createPersonalSession) { body }: ParsedInput<typeof createPersonalSession>,
    @Req() req: { user?: AdminCaller },
  ) {
    const actor = await existingUser(this.store.users, body.actor_user_id);
    if (actor.deactivatedAt !== null || actor.lockedAt !== null)
      throw new AdminApiError(400, `User ID ${actor.id} is locked or deactivated`);
    const caller = req.user;
    if (caller === undefined) throw new AdminApiError(401, 'Unknown access token');
    const owner = caller.kind === 'user' ? { userId: caller.userId } : { clientId: caller.clientId };
    let issued;
    try {
      issued = await this.tokens.create(actor, owner, {
        name: body.human_name,
        scope: body.scope,
        expiresIn: body.expires_in ?? null,
        mayBeEndless: true,
      });
    } catch (err) {
      if (err instanceof SynapseCallError)
        throw new AdminApiError(503, 'The homeserver could not register the device; no token was issued');
      throw err;
    }
    return single(issuedResource(issued));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Operation(revokePersonalSession)
  async revoke(@AdminInput(revokePersonalSession) { params }: ParsedInput<typeof revokePersonalSession>) {
    const session = await this.store.personal.findById(params.id);
    if (!session) throw notFound('Personal session', params.id);
    const revoked = await this.tokens.revoke(session.id);
    if (!revoked) throw new AdminApiError(400, `Personal session ID ${params.id} is already revoked`);
    return single(toResource(revoked));
  }

  @Post(':id/regenerate')
  @HttpCode(200)
  @Operation(regeneratePersonalSession)
  async regenerate(
    @AdminInput(regeneratePersonalSession) { params, body }: ParsedInput<typeof regeneratePersonalSession>,
  ) {
    const session = await this.store.personal.findById(params.id);
    if (!session) throw notFound('Personal session', params.id);
    if (session.revokedAt !== null)
      throw new AdminApiError(400, `Personal session ID ${params.id} is revoked`);
    const issued = await this.tokens.regenerate(session.id, body.expires_in ?? null, true);
    return single(issuedResource(issued, params.id));
  }
}

function issuedResource(issued: IssuedPersonalToken | PersonalTokenProblem, id?: string) {
  if ('problem' in issued) {
    if (issued.problem === 'not_found')
      throw new AdminApiError(400, `Personal session ID ${id ?? ''} is revoked`);
    throw new AdminApiError(400, `Invalid request body: ${issued.reason}`);
  }
  const r = toResource(issued.session);
  return { ...r, attributes: { ...r.attributes, access_token: issued.token } };
}

function toResource(s: PersonalSession) {
  return resource(TYPE, COLLECTION, s.id, {
    created_at: s.createdAt.toISOString(),
    revoked_at: s.revokedAt?.toISOString() ?? null,
    owner_user_id: s.ownerUserId,
    owner_client_id: s.ownerClientId,
    actor_user_id: s.actorUserId,
    human_name: s.humanName,
    scope: s.scope,
    // The homeserver's last introspection of the token; Synapse does not send the client's address.
    last_active_at: s.lastActiveAt?.toISOString() ?? null,
    last_active_ip: null,
    expires_at: s.expiresAt?.toISOString() ?? null,
  });
}
