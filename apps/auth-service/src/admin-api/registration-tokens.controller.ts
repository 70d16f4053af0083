import { Controller, Get, HttpCode, Inject, Post, Put, UseFilters, UseGuards } from '@nestjs/common';
import {
  registrationTokenProblem,
  type AuthStore,
  type RegistrationToken,
  type RegistrationTokenFilter,
} from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import { z } from 'zod';
import { AdminApiError, AdminApiErrorFilter } from '@gateway/server';
import { AUTH_STORE, CLOCK } from '../tokens';
import { AdminAuthGuard } from './admin-bearer.strategy';
import { notFound } from './not-found';
import { newRegistrationToken } from '../token-format/random-string';
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
} from './resources';

// MAS's user-registration-tokens resource, same names and shapes.
const TYPE = 'user-registration_token';
const COLLECTION = 'user-registration-tokens';
const TAG = 'user-registration-token';
const attributes = z.object({
  token: z.string().meta({ description: 'The token to type on the registration page.' }),
  valid: z.boolean().meta({ description: 'Not revoked, not expired and not used up.' }),
  usage_limit: z.number().int().nullable().meta({ description: 'Uses allowed; null: unlimited.' }),
  times_used: z.number().int(),
  created_at: timestamp(),
  last_used_at: timestamp().nullable(),
  expires_at: timestamp().nullable(),
  revoked_at: timestamp().nullable(),
});
const tokenSingle = singleSchema(TYPE, attributes);
const error = (description: string) => ({ description, schema: errorSchema });
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idParam = z.object({ id: z.string().meta({ description: 'The registration token ID.' }) });
const none = z.object({});
const oneToken = {
  200: { description: 'The registration token.', schema: tokenSingle },
  404: error('No such registration token.'),
};
const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');
const usageLimit = z.number().int().min(1).max(2_147_483_647);

export const listRegistrationTokens = defineOperation({
  operationId: 'listUserRegistrationTokens',
  method: 'get',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'List registration tokens',
  params: none,
  query: z.object({
    ...paginationQuery,
    'filter[used]': boolString.optional().meta({ description: 'Only tokens used (not) at least once.' }),
    'filter[revoked]': boolString.optional().meta({ description: 'Only (non-)revoked tokens.' }),
    'filter[expired]': boolString.optional().meta({ description: 'Only (non-)expired tokens.' }),
    'filter[valid]': boolString.optional().meta({ description: 'Only tokens that can(not) be used now.' }),
  }),
  body: undefined,
  responses: {
    200: { description: 'A page of registration tokens.', schema: listSchema(TYPE, attributes) },
    400: error('A bad filter or page parameter.'),
    ...authErrors,
  },
});

export const getRegistrationToken = defineOperation({
  operationId: 'getUserRegistrationToken',
  method: 'get',
  path: `/${COLLECTION}/{id}`,
  tag: TAG,
  summary: 'Get a registration token',
  params: idParam,
  query: none,
  body: undefined,
  responses: { ...oneToken, ...authErrors },
});

export const addRegistrationToken = defineOperation({
  operationId: 'addUserRegistrationToken',
  method: 'post',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'Create a registration token',
  params: none,
  query: none,
  body: z.object({
    token: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{1,64}$/)
      .optional()
      .meta({ description: 'The token; 24 random characters when absent.' }),
    usage_limit: usageLimit.optional().meta({ description: 'Uses allowed; unlimited when absent.' }),
    expires_at: timestamp().optional().meta({ description: 'When it stops working; never when absent.' }),
  }),
  responses: {
    201: { description: 'The created token.', schema: tokenSingle },
    400: error('Invalid body.'),
    409: error('A token with that value exists.'),
    ...authErrors,
  },
});

export const updateRegistrationToken = defineOperation({
  operationId: 'updateUserRegistrationToken',
  method: 'put',
  path: `/${COLLECTION}/{id}`,
  tag: TAG,
  summary: 'Update the usage limit or expiry of a registration token',
  params: idParam,
  query: none,
  body: z.object({
    usage_limit: usageLimit
      .nullable()
      .optional()
      .meta({ description: 'null: unlimited; absent: unchanged.' }),
    expires_at: timestamp().nullable().optional().meta({ description: 'null: never; absent: unchanged.' }),
  }),
  responses: { ...oneToken, 400: error('Invalid body.'), ...authErrors },
});

const revocation = (operationId: string, path: string, summary: string, refusal: string) =>
  defineOperation({
    operationId,
    method: 'post',
    path: `/${COLLECTION}/{id}/${path}`,
    tag: TAG,
    summary,
    params: idParam,
    query: none,
    body: undefined,
    responses: { ...oneToken, 400: error(refusal), ...authErrors },
  });
export const revokeRegistrationToken = revocation(
  'revokeUserRegistrationToken',
  'revoke',
  'Revoke a registration token',
  'The token is already revoked.',
);
export const unrevokeRegistrationToken = revocation(
  'unrevokeUserRegistrationToken',
  'unrevoke',
  'Make a revoked registration token usable again',
  'The token is not revoked.',
);

/** `/api/admin/v1/user-registration-tokens`: MAS's registration token resource. */
@Controller(`api/admin/v1/${COLLECTION}`)
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class RegistrationTokensController {
  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Operation(listRegistrationTokens)
  async list(@AdminInput(listRegistrationTokens) { query }: ParsedInput<typeof listRegistrationTokens>) {
    const page = pageRequest(query, (c) => UUID.test(c));
    const filter: RegistrationTokenFilter = {};
    if (query['filter[used]'] !== undefined) filter.used = query['filter[used]'];
    if (query['filter[revoked]'] !== undefined) filter.revoked = query['filter[revoked]'];
    if (query['filter[expired]'] !== undefined) filter.expired = query['filter[expired]'];
    if (query['filter[valid]'] !== undefined) filter.valid = query['filter[valid]'];
    const now = this.now();
    const tokens = this.store.registrationTokens;
    return listAnswer(
      COLLECTION,
      query,
      { count: () => tokens.count(filter, now), page: () => tokens.listPage(filter, now, page) },
      (t) => this.toResource(t, now),
    );
  }

  @Get(':id')
  @Operation(getRegistrationToken)
  async get(@AdminInput(getRegistrationToken) { params }: ParsedInput<typeof getRegistrationToken>) {
    return this.one(await this.store.registrationTokens.findById(params.id), params.id);
  }

  @Post()
  @HttpCode(201)
  @Operation(addRegistrationToken)
  async add(@AdminInput(addRegistrationToken) { body }: ParsedInput<typeof addRegistrationToken>) {
    const created = await this.store.registrationTokens.create({
      token: body.token ?? newRegistrationToken(),
      usageLimit: body.usage_limit ?? null,
      expiresAt: body.expires_at === undefined ? null : new Date(body.expires_at),
    });
    if (!created) throw new AdminApiError(409, 'A registration token with the same token already exists');
    return single(this.toResource(created, this.now()));
  }

  @Put(':id')
  @HttpCode(200)
  @Operation(updateRegistrationToken)
  async update(
    @AdminInput(updateRegistrationToken) { params, body }: ParsedInput<typeof updateRegistrationToken>,
  ) {
    const change: { usageLimit?: number | null; expiresAt?: Date | null } = {};
    if (body.usage_limit !== undefined) change.usageLimit = body.usage_limit;
    if (body.expires_at !== undefined)
      change.expiresAt = body.expires_at === null ? null : new Date(body.expires_at);
    return this.one(await this.store.registrationTokens.update(params.id, change), params.id);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Operation(revokeRegistrationToken)
  async revoke(@AdminInput(revokeRegistrationToken) { params }: ParsedInput<typeof revokeRegistrationToken>) {
    const token = await this.existing(params.id);
    if (token.revokedAt !== null) throw new AdminApiError(400, 'Registration token is already revoked');
    return this.one(await this.store.registrationTokens.setRevokedById(token.id, this.now()), params.id);
  }

  @Post(':id/unrevoke')
  @HttpCode(200)
  @Operation(unrevokeRegistrationToken)
  async unrevoke(
    @AdminInput(unrevokeRegistrationToken) { params }: ParsedInput<typeof unrevokeRegistrationToken>,
  ) {
    const token = await this.existing(params.id);
    if (token.revokedAt === null) throw new AdminApiError(400, 'Registration token is not revoked');
    return this.one(await this.store.registrationTokens.setRevokedById(token.id, null), params.id);
  }

  private async existing(id: string): Promise<RegistrationToken> {
    const token = await this.store.registrationTokens.findById(id);
    if (!token) throw notFound('Registration token', id);
    return token;
  }

  private one(token: RegistrationToken | null, id: string) {
    if (!token) throw notFound('Registration token', id);
    return single(this.toResource(token, this.now()));
  }

  private toResource(t: RegistrationToken, now: Date) {
    return resource(TYPE, COLLECTION, t.id, {
      token: t.token,
      valid: registrationTokenProblem(t, now) === null,
      usage_limit: t.usageLimit,
      times_used: t.timesUsed,
      created_at: t.createdAt.toISOString(),
      last_used_at: t.lastUsedAt?.toISOString() ?? null,
      expires_at: t.expiresAt?.toISOString() ?? null,
      revoked_at: t.revokedAt?.toISOString() ?? null,
    });
  }

  private now(): Date {
    return new Date(this.clock());
  }
}
