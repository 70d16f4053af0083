import { Controller, Delete, Get, HttpCode, Inject, Post, UseFilters, UseGuards } from '@nestjs/common';
import type { AuthStore, UpstreamLink, UpstreamLinkFilter } from '@gateway/auth-data';
import type { Clock } from '@gateway/util';
import { z } from 'zod';
import { AdminApiError, AdminApiErrorFilter } from '@gateway/server';
import { AUTH_STORE, CLOCK } from '../tokens';
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
  storableText,
  timestamp,
  userFilter,
} from './resources';

// MAS's upstream-oauth-links resource, same names, shapes and error titles.
const TYPE = 'upstream-oauth-link';
const COLLECTION = 'upstream-oauth-links';
const TAG = 'upstream-oauth-link';
const attributes = z.object({
  created_at: timestamp().meta({ description: 'When the link was made.' }),
  provider_id: z.string().meta({ description: 'The ID of the provider.' }),
  subject: z.string().meta({ description: 'The subject of the upstream account, unique per provider.' }),
  // Always set here: a link is made for a user (MAS also keeps links awaiting one, then null).
  user_id: z.string().meta({ description: 'The ID of the user who owns this link.' }),
  human_account_name: z
    .string()
    .nullable()
    .meta({ description: 'A human-readable name of the upstream account.' }),
});
const linkSingle = singleSchema(TYPE, attributes);
const error = (description: string) => ({ description, schema: errorSchema });
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idParam = z.object({ id: z.string().meta({ description: 'The upstream link ID.' }) });
const none = z.object({});

export const listUpstreamOAuthLinks = defineOperation({
  operationId: 'listUpstreamOAuthLinks',
  method: 'get',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'List upstream OAuth 2.0 links',
  params: none,
  query: z.object({
    ...paginationQuery,
    'filter[user]': z.string().optional().meta({ description: 'Only this user’s links (user ID).' }),
    'filter[provider]': storableText()
      .optional()
      .meta({ description: 'Only links at this provider (provider ID).' }),
    'filter[subject]': storableText().optional().meta({ description: 'Only the link with this subject.' }),
    'filter[human-account-name]': storableText()
      .optional()
      .meta({ description: 'Only links whose account name contains this text (case-insensitive).' }),
  }),
  body: undefined,
  responses: {
    200: { description: 'A page of upstream links.', schema: listSchema(TYPE, attributes) },
    400: error('A bad filter or page parameter.'),
    404: error('The user in filter[user] or the provider in filter[provider] does not exist.'),
    ...authErrors,
  },
});

export const getUpstreamOAuthLink = defineOperation({
  operationId: 'getUpstreamOAuthLink',
  method: 'get',
  path: `/${COLLECTION}/{id}`,
  tag: TAG,
  summary: 'Get an upstream OAuth 2.0 link',
  params: idParam,
  query: none,
  body: undefined,
  responses: {
    200: { description: 'The upstream link.', schema: linkSingle },
    404: error('No such upstream link.'),
    ...authErrors,
  },
});

export const addUpstreamOAuthLink = defineOperation({
  operationId: 'addUpstreamOAuthLink',
  method: 'post',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'Add an upstream OAuth 2.0 link',
  description:
    'Links an account at an upstream provider to a user, who may then sign in through that provider. ' +
    'The provider may be disabled and the user deactivated, as in MAS.',
  params: none,
  query: none,
  body: z.object({
    user_id: z.string().meta({ description: 'The ID of the user to which the link should be added.' }),
    provider_id: storableText().meta({ description: 'The ID of the upstream provider the link is for.' }),
    subject: storableText().meta({ description: 'The subject (sub) claim of the user at the provider.' }),
    human_account_name: z
      .string()
      .max(255)
      .nullable()
      .optional()
      .meta({ description: 'A human-readable account name.' }),
  }),
  responses: {
    201: { description: 'The new link.', schema: linkSingle },
    400: error('Invalid body.'),
    404: error('No such user or provider.'),
    409: error('The subject is already linked to a user at that provider.'),
    ...authErrors,
  },
});

export const deleteUpstreamOAuthLink = defineOperation({
  operationId: 'deleteUpstreamOAuthLink',
  method: 'delete',
  path: `/${COLLECTION}/{id}`,
  tag: TAG,
  summary: 'Delete an upstream OAuth 2.0 link',
  description: 'The user can no longer sign in through that upstream account; nothing else changes.',
  params: idParam,
  query: none,
  body: undefined,
  responses: {
    204: { description: 'The link was deleted.' },
    404: error('No such upstream link.'),
    ...authErrors,
  },
});

/**
 * `/api/admin/v1/upstream-oauth-links`: which upstream accounts sign in as which user. Links live only
 * here (Synapse does not know them in delegated mode), so a change has nothing to mirror.
 */
@Controller(`api/admin/v1/${COLLECTION}`)
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class UpstreamOAuthLinksController {
  constructor(
    @Inject(AUTH_STORE) private readonly store: AuthStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @Operation(listUpstreamOAuthLinks)
  async list(@AdminInput(listUpstreamOAuthLinks) { query }: ParsedInput<typeof listUpstreamOAuthLinks>) {
    const page = pageRequest(query, (c) => UUID.test(c));
    const filter: UpstreamLinkFilter = { userId: await userFilter(this.store.users, query['filter[user]']) };
    const providerId = query['filter[provider]'];
    if (providerId !== undefined) {
      if (!(await this.store.upstream.getProvider(providerId))) throw notFound('Provider', providerId);
      filter.providerId = providerId;
    }
    if (query['filter[subject]'] !== undefined) filter.subject = query['filter[subject]'];
    const name = query['filter[human-account-name]'];
    if (name !== undefined) filter.humanAccountName = name;
    const repo = this.store.upstream;
    return listAnswer(
      COLLECTION,
      query,
      { count: () => repo.countLinks(filter), page: () => repo.listLinks(filter, page) },
      toResource,
    );
  }

  @Get(':id')
  @Operation(getUpstreamOAuthLink)
  async get(@AdminInput(getUpstreamOAuthLink) { params }: ParsedInput<typeof getUpstreamOAuthLink>) {
    const link = await this.store.upstream.getLink(params.id);
    if (!link) throw notFound('Upstream OAuth 2.0 Link', params.id);
    return single(toResource(link));
  }

  @Post()
  @HttpCode(201)
  @Operation(addUpstreamOAuthLink)
  async add(@AdminInput(addUpstreamOAuthLink) { body }: ParsedInput<typeof addUpstreamOAuthLink>) {
    // A deactivated or locked user may be linked, as in MAS: the sign-in refuses them, not the link.
    const user = await existingUser(this.store.users, body.user_id);
    const provider = await this.store.upstream.getProvider(body.provider_id);
    if (!provider) throw notFound('Upstream OAuth 2.0 Provider', body.provider_id);
    const added = await this.store.upstream.addLink(
      {
        providerId: provider.id,
        subject: body.subject,
        userId: user.id,
        humanAccountName: body.human_account_name ?? null,
      },
      new Date(this.clock()),
    );
    if (!added)
      throw new AdminApiError(
        409,
        `Upstream Oauth 2.0 Provider ID ${provider.id} with subject ${body.subject} is already linked to a user`,
      );
    return single(toResource(added));
  }

  @Delete(':id')
  @HttpCode(204)
  @Operation(deleteUpstreamOAuthLink)
  async remove(
    @AdminInput(deleteUpstreamOAuthLink) { params }: ParsedInput<typeof deleteUpstreamOAuthLink>,
  ): Promise<void> {
    if (!(await this.store.upstream.removeLink(params.id)))
      throw notFound('Upstream OAuth 2.0 Link', params.id);
  }
}

function toResource(l: UpstreamLink) {
  return resource(TYPE, COLLECTION, l.id, {
    created_at: l.createdAt.toISOString(),
    provider_id: l.providerId,
    subject: l.subject,
    user_id: l.userId,
    human_account_name: l.humanAccountName,
  });
}
