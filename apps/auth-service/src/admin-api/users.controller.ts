import { Controller, Get, HttpCode, Inject, Post, UseFilters, UseGuards } from '@nestjs/common';
import type { User, UserFilter } from '@gateway/auth-data';
import { z } from 'zod';
import { AdminApiErrorFilter } from '@gateway/server';
import { ADMIN_USERS } from '../tokens';
import { AdminAuthGuard } from './admin-bearer.strategy';
import type { AdminUsers } from './admin-users';
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

const userAttributes = z.object({
  username: z.string().meta({ description: 'The Matrix localpart.' }),
  created_at: timestamp(),
  locked_at: timestamp().nullable(),
  deactivated_at: timestamp().nullable(),
  admin: z.boolean().meta({ description: 'Whether the user may request admin scopes.' }),
  legacy_guest: z.boolean(),
});

const userSingle = singleSchema('user', userAttributes);
const error = (description: string) => ({ description, schema: errorSchema });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idParam = z.object({ id: z.string().meta({ description: 'The user ID.' }) });
const none = z.object({});
const oneUser = { 200: { description: 'The user.', schema: userSingle }, 404: error('No such user.') };
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};
const TAG = 'user';

const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listUsers = defineOperation({
  operationId: 'listUsers',
  method: 'get',
  path: '/users',
  tag: TAG,
  summary: 'List users',
  params: none,
  query: z.object({
    ...paginationQuery,
    'filter[admin]': boolString.optional().meta({ description: 'Only (non-)admins.' }),
    'filter[legacy-guest]': boolString
      .optional()
      .meta({ description: 'Only (non-)guests; there are no guests here.' }),
    'filter[search]': z.string().min(1).max(255).optional().meta({ description: 'Part of the username.' }),
    'filter[status]': z
      .enum(['active', 'locked', 'deactivated'])
      .optional()
      .meta({ description: 'active: neither locked nor deactivated.' }),
  }),
  body: undefined,
  responses: {
    200: { description: 'A page of users.', schema: listSchema('user', userAttributes) },
    400: error('A bad filter or page parameter.'),
    ...authErrors,
  },
});

export const getUser = defineOperation({
  operationId: 'getUser',
  method: 'get',
  path: '/users/{id}',
  tag: TAG,
  summary: 'Get a user',
  params: idParam,
  query: none,
  body: undefined,
  responses: { ...oneUser, ...authErrors },
});

export const getUserByUsername = defineOperation({
  operationId: 'getUserByUsername',
  method: 'get',
  path: '/users/by-username/{username}',
  tag: TAG,
  summary: 'Get a user by its username (localpart)',
  params: z.object({ username: z.string() }),
  query: none,
  body: undefined,
  responses: { ...oneUser, ...authErrors },
});

export const createUser = defineOperation({
  operationId: 'createUser',
  method: 'post',
  path: '/users',
  tag: TAG,
  summary: 'Create a user',
  description:
    'Creates the user here and provisions it on the homeserver. It has no password until one is set.',
  params: none,
  query: none,
  body: z.object({
    username: z.string().min(1).max(255),
    skip_homeserver_check: z
      .boolean()
      .optional()
      .meta({ description: 'Skip the homeserver availability check.' }),
  }),
  responses: {
    201: { description: 'The created user.', schema: userSingle },
    400: error('Invalid username or body.'),
    409: error('The username is taken, here or on the homeserver.'),
    503: error('The homeserver could not be reached.'),
    ...authErrors,
  },
});

const action = <B extends z.ZodObject | undefined>(
  operationId: string,
  path: string,
  summary: string,
  body: B,
  extra: Record<number, { description: string; schema: z.ZodType }> = {},
) =>
  defineOperation({
    operationId,
    method: 'post',
    path: `/users/{id}/${path}`,
    tag: TAG,
    summary,
    params: idParam,
    query: none,
    body,
    responses: { ...oneUser, ...extra, ...authErrors },
  });

const homeserverDown = { 503: error('The homeserver could not be reached.') };
export const setUserPassword = defineOperation({
  operationId: 'setUserPassword',
  method: 'post',
  path: '/users/{id}/set-password',
  tag: TAG,
  summary: 'Set the password of a user',
  params: idParam,
  query: none,
  body: z.object({
    password: z.string().min(1).max(4096),
    skip_password_check: z
      .boolean()
      .optional()
      .meta({ description: 'Skip the password strength rules; the 8–1024 character window still applies.' }),
  }),
  responses: {
    204: { description: 'The password was set.' },
    400: error('The password is refused by the policy.'),
    404: error('No such user.'),
    ...authErrors,
  },
});
export const setUserAdmin = action(
  'userSetAdmin',
  'set-admin',
  'Set whether the user may request admin scopes',
  z.object({ admin: z.boolean() }),
  { 400: error('Invalid body.') },
);
export const lockUser = action('lockUser', 'lock', 'Lock a user', undefined, homeserverDown);
export const unlockUser = action('unlockUser', 'unlock', 'Unlock a user', undefined, homeserverDown);
export const deactivateUser = action(
  'deactivateUser',
  'deactivate',
  'Deactivate a user',
  z.object({
    skip_erase: z
      .boolean()
      .optional()
      .meta({ description: 'Keep the user’s data on the homeserver (no GDPR erasure).' }),
  }),
  { 400: error('Invalid body.'), ...homeserverDown },
);
export const resetUserMfa = defineOperation({
  operationId: 'resetUserMfa',
  method: 'post',
  path: '/users/{id}/reset-mfa',
  tag: TAG,
  summary: "Remove a user's second factors",
  description:
    'Gateway extension (MAS has no such operation): removes the TOTP factor, every passkey and the ' +
    'recovery codes of a user who lost them, so the password alone signs in again. Idempotent.',
  params: idParam,
  query: none,
  body: undefined,
  responses: { ...oneUser, ...authErrors },
});
export const reactivateUser = action(
  'reactivateUser',
  'reactivate',
  'Reactivate a user',
  undefined,
  homeserverDown,
);

function toResource(user: User) {
  return resource('user', 'users', user.id, {
    username: user.localpart,
    created_at: user.createdAt.toISOString(),
    locked_at: user.lockedAt?.toISOString() ?? null,
    deactivated_at: user.deactivatedAt?.toISOString() ?? null,
    admin: user.admin,
    legacy_guest: false,
  });
}

const one = (user: User) => single(toResource(user));

/** `/api/admin/v1/users`: MAS's user resource. */
@Controller('api/admin/v1/users')
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class UsersController {
  constructor(@Inject(ADMIN_USERS) private readonly users: AdminUsers) {}

  @Get()
  @Operation(listUsers)
  async list(@AdminInput(listUsers) { query }: ParsedInput<typeof listUsers>) {
    const page = pageRequest(query, (c) => UUID.test(c));
    // There are no guest accounts: asking for guests only is an empty list.
    const filter: UserFilter & { none?: true } = {};
    if (query['filter[admin]'] !== undefined) filter.admin = query['filter[admin]'];
    if (query['filter[status]'] !== undefined) filter.status = query['filter[status]'];
    if (query['filter[search]'] !== undefined) filter.search = query['filter[search]'];
    const guestsOnly = query['filter[legacy-guest]'] === true;
    return listAnswer(
      'users',
      query,
      {
        count: async () => (guestsOnly ? 0 : this.users.count(filter)),
        page: async () =>
          guestsOnly ? { items: [], hasNext: false, hasPrevious: false } : this.users.list(filter, page),
      },
      toResource,
    );
  }

  @Get('by-username/:username')
  @Operation(getUserByUsername)
  async byUsername(@AdminInput(getUserByUsername) { params }: ParsedInput<typeof getUserByUsername>) {
    return one(await this.users.byUsername(params.username));
  }

  @Get(':id')
  @Operation(getUser)
  async get(@AdminInput(getUser) { params }: ParsedInput<typeof getUser>) {
    return one(await this.users.get(params.id));
  }

  @Post()
  @HttpCode(201)
  @Operation(createUser)
  async create(@AdminInput(createUser) { body }: ParsedInput<typeof createUser>) {
    return one(await this.users.create(body.username, body.skip_homeserver_check ?? false));
  }

  @Post(':id/set-password')
  @HttpCode(204)
  @Operation(setUserPassword)
  async setPassword(@AdminInput(setUserPassword) { params, body }: ParsedInput<typeof setUserPassword>) {
    await this.users.setPassword(params.id, body.password, body.skip_password_check ?? false);
  }

  @Post(':id/set-admin')
  @HttpCode(200)
  @Operation(setUserAdmin)
  async setAdmin(@AdminInput(setUserAdmin) { params, body }: ParsedInput<typeof setUserAdmin>) {
    return one(await this.users.setAdmin(params.id, body.admin));
  }

  @Post(':id/lock')
  @HttpCode(200)
  @Operation(lockUser)
  async lock(@AdminInput(lockUser) { params }: ParsedInput<typeof lockUser>) {
    return one(await this.users.lock(params.id));
  }

  @Post(':id/unlock')
  @HttpCode(200)
  @Operation(unlockUser)
  async unlock(@AdminInput(unlockUser) { params }: ParsedInput<typeof unlockUser>) {
    return one(await this.users.unlock(params.id));
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @Operation(deactivateUser)
  async deactivate(@AdminInput(deactivateUser) { params, body }: ParsedInput<typeof deactivateUser>) {
    return one(await this.users.deactivate(params.id, body.skip_erase ?? false));
  }

  @Post(':id/reset-mfa')
  @HttpCode(200)
  @Operation(resetUserMfa)
  async resetMfa(@AdminInput(resetUserMfa) { params }: ParsedInput<typeof resetUserMfa>) {
    return one(await this.users.resetMfa(params.id));
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  @Operation(reactivateUser)
  async reactivate(@AdminInput(reactivateUser) { params }: ParsedInput<typeof reactivateUser>) {
    return one(await this.users.reactivate(params.id));
  }
}
