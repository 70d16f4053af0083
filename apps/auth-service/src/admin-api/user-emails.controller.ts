import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Logger,
  Post,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { AuthStore, UserEmail, UserEmailFilter } from '@gateway/auth-data';
import { z } from 'zod';
import { AdminApiError, AdminApiErrorFilter } from '@gateway/server';
import type { UserEmails } from '../email/user-emails';
import { SynapseCallError } from '../synapse/synapse-call-error';
import { AUTH_STORE, USER_EMAILS } from '../tokens';
import { AdminAuthGuard } from './admin-bearer.strategy';
import { notFound } from './not-found';
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

// MAS's user-emails resource, same names and shapes.
const TYPE = 'user-email';
const COLLECTION = 'user-emails';
const TAG = 'user-email';
const attributes = z.object({
  created_at: timestamp(),
  user_id: z.string().meta({ description: 'The ID of the user who owns this address.' }),
  email: z.string().meta({ description: 'The email address.' }),
});
const emailSingle = singleSchema(TYPE, attributes);
const error = (description: string) => ({ description, schema: errorSchema });
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idParam = z.object({ id: z.string().meta({ description: 'The user email ID.' }) });
const none = z.object({});
const homeserverDown = error('The homeserver could not be reached; the change is kept here.');

export const listUserEmails = defineOperation({
  operationId: 'listUserEmails',
  method: 'get',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'List user emails',
  params: none,
  query: z.object({
    ...paginationQuery,
    'filter[user]': z.string().optional().meta({ description: 'Only this user’s addresses (user ID).' }),
    'filter[email]': z
      .string()
      .optional()
      .meta({ description: 'Only this address (compared case-insensitively).' }),
  }),
  body: undefined,
  responses: {
    200: { description: 'A page of user emails.', schema: listSchema(TYPE, attributes) },
    400: error('A bad filter or page parameter.'),
    404: error('The user in filter[user] does not exist.'),
    ...authErrors,
  },
});

export const getUserEmail = defineOperation({
  operationId: 'getUserEmail',
  method: 'get',
  path: `/${COLLECTION}/{id}`,
  tag: TAG,
  summary: 'Get a user email',
  params: idParam,
  query: none,
  body: undefined,
  responses: {
    200: { description: 'The user email.', schema: emailSingle },
    404: error('No such user email.'),
    ...authErrors,
  },
});

export const addUserEmail = defineOperation({
  operationId: 'addUserEmail',
  method: 'post',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'Add a confirmed email address to a user',
  description: 'No mail is sent: the address is confirmed at once and becomes an email threepid in Synapse.',
  params: none,
  query: none,
  body: z.object({
    user_id: z.string().meta({ description: 'The ID of the user to add the address to.' }),
    email: z.string().meta({ description: 'The email address.' }),
  }),
  responses: {
    201: { description: 'The added address.', schema: emailSingle },
    400: error('Invalid body or not an email address.'),
    404: error('No such user.'),
    409: error('An account already has this address.'),
    503: homeserverDown,
    ...authErrors,
  },
});

export const deleteUserEmail = defineOperation({
  operationId: 'deleteUserEmail',
  method: 'delete',
  path: `/${COLLECTION}/{id}`,
  tag: TAG,
  summary: 'Remove a user email',
  description: 'The address is also removed from the user’s threepids in Synapse.',
  params: idParam,
  query: none,
  body: undefined,
  responses: {
    204: { description: 'The address was removed.' },
    404: error('No such user email.'),
    503: homeserverDown,
    ...authErrors,
  },
});

/**
 * `/api/admin/v1/user-emails`: MAS's user email resource. Adding and removing go through `email/UserEmails`,
 * the account page's code, so Synapse's threepids follow the same way.
 */
@Controller(`api/admin/v1/${COLLECTION}`)
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class UserEmailsController {
  private readonly log = new Logger('admin-api');

  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(USER_EMAILS) private readonly emails: UserEmails,
  ) {}

  @Get()
  @Operation(listUserEmails)
  async list(@AdminInput(listUserEmails) { query }: ParsedInput<typeof listUserEmails>) {
    const page = pageRequest(query, (c) => UUID.test(c));
    const filter: UserEmailFilter = { userId: await userFilter(this.store.users, query['filter[user]']) };
    if (query['filter[email]'] !== undefined) filter.email = query['filter[email]'];
    const repo = this.store.emails;
    return listAnswer(
      COLLECTION,
      query,
      { count: () => repo.count(filter), page: () => repo.listPage(filter, page) },
      toResource,
    );
  }

  @Get(':id')
  @Operation(getUserEmail)
  async get(@AdminInput(getUserEmail) { params }: ParsedInput<typeof getUserEmail>) {
    return single(toResource(await this.existing(params.id)));
  }

  @Post()
  @HttpCode(201)
  @Operation(addUserEmail)
  async add(@AdminInput(addUserEmail) { body }: ParsedInput<typeof addUserEmail>) {
    const user = await existingUser(this.store.users, body.user_id);
    const added = await this.homeserverCall(() => this.emails.addConfirmed(user, body.email));
    if (added.ok) return single(toResource(added.email));
    if (added.problem === 'invalid') throw new AdminApiError(400, 'Invalid email address');
    throw new AdminApiError(409, 'User email already in use');
  }

  @Delete(':id')
  @HttpCode(204)
  @Operation(deleteUserEmail)
  async remove(@AdminInput(deleteUserEmail) { params }: ParsedInput<typeof deleteUserEmail>): Promise<void> {
    const email = await this.existing(params.id);
    const user = await existingUser(this.store.users, email.userId);
    if (!(await this.homeserverCall(() => this.emails.remove(user, email.id))))
      throw notFound('User email', params.id);
  }

  private async existing(id: string): Promise<UserEmail> {
    const email = await this.store.emails.findById(id);
    if (!email) throw notFound('User email', id);
    return email;
  }

  /** As for users (admin-users.ts): the change is kept here, the operator learns Synapse did not follow. */
  private async homeserverCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof SynapseCallError)) throw err;
      this.log.warn(
        { err, call: err.call, status: err.status, errcode: err.errcode },
        'homeserver call failed',
      );
      throw new AdminApiError(503, `The homeserver refused or did not answer (${err.call})`);
    }
  }
}

function toResource(e: UserEmail) {
  return resource(TYPE, COLLECTION, e.id, {
    created_at: e.createdAt.toISOString(),
    user_id: e.userId,
    email: e.email,
  });
}
