import { Controller, Get, Inject, UseFilters, UseGuards } from '@nestjs/common';
import type { AuthStore, UpstreamProvider, UpstreamProviderFilter } from '@gateway/auth-data';
import { z } from 'zod';
import { AdminApiError, AdminApiErrorFilter } from '@gateway/server';
import { AUTH_STORE } from '../tokens';
import { AdminAuthGuard } from './admin-bearer.strategy';
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
  storableText,
  timestamp,
} from './resources';

// MAS's upstream-oauth-providers resource, same names and shapes. Providers come from the configuration
// (synced at start, store.upstream.syncProviders): the API only reads them.
const TYPE = 'upstream-oauth-provider';
const COLLECTION = 'upstream-oauth-providers';
const TAG = 'upstream-oauth-provider';
const attributes = z.object({
  issuer: z.string().nullable().meta({ description: 'The OpenID issuer of the provider.' }),
  human_name: z.string().nullable().meta({ description: 'A human-readable name for the provider.' }),
  brand_name: z.string().nullable().meta({ description: 'A brand identifier, e.g. "apple" or "google".' }),
  created_at: timestamp().meta({ description: 'When the provider was first configured.' }),
  disabled_at: timestamp()
    .nullable()
    .meta({ description: 'When the provider left the configuration; null while it is enabled.' }),
  registration_token_required: z.boolean().meta({
    description: 'Whether a registration token is required for registrations through this provider.',
  }),
});
const error = (description: string) => ({ description, schema: errorSchema });
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};
const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listUpstreamOAuthProviders = defineOperation({
  operationId: 'listUpstreamOAuthProviders',
  method: 'get',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'List upstream OAuth 2.0 providers',
  params: z.object({}),
  query: z.object({
    ...paginationQuery,
    'filter[enabled]': boolString
      .optional()
      .meta({ description: 'Only providers that are (`true`) or are not (`false`) enabled.' }),
  }),
  body: undefined,
  responses: {
    200: { description: 'A page of upstream providers.', schema: listSchema(TYPE, attributes) },
    400: error('A bad filter or page parameter.'),
    ...authErrors,
  },
});

export const getUpstreamOAuthProvider = defineOperation({
  operationId: 'getUpstreamOAuthProvider',
  method: 'get',
  path: `/${COLLECTION}/{id}`,
  tag: TAG,
  summary: 'Get an upstream OAuth 2.0 provider',
  params: z.object({
    id: storableText().meta({ description: 'The provider ID (as configured).' }),
  }),
  query: z.object({}),
  body: undefined,
  responses: {
    200: { description: 'The upstream provider.', schema: singleSchema(TYPE, attributes) },
    400: error('Not a provider ID.'),
    404: error('No such provider.'),
    ...authErrors,
  },
});

/** `/api/admin/v1/upstream-oauth-providers`: read-only, as in MAS. */
@Controller(`api/admin/v1/${COLLECTION}`)
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class UpstreamOAuthProvidersController {
  constructor(@Inject(AUTH_STORE) private readonly store: AuthStore) {}

  @Get()
  @Operation(listUpstreamOAuthProviders)
  async list(
    @AdminInput(listUpstreamOAuthProviders) { query }: ParsedInput<typeof listUpstreamOAuthProviders>,
  ) {
    const page = pageRequest(query);
    const filter: UpstreamProviderFilter = {};
    if (query['filter[enabled]'] !== undefined) filter.enabled = query['filter[enabled]'];
    const repo = this.store.upstream;
    return listAnswer(
      COLLECTION,
      query,
      { count: () => repo.countProviders(filter), page: () => repo.listProviders(filter, page) },
      toResource,
    );
  }

  @Get(':id')
  @Operation(getUpstreamOAuthProvider)
  async get(@AdminInput(getUpstreamOAuthProvider) { params }: ParsedInput<typeof getUpstreamOAuthProvider>) {
    const provider = await this.store.upstream.getProvider(params.id);
    // MAS's title for this one names no ID.
    if (!provider) throw new AdminApiError(404, 'Provider not found');
    return single(toResource(provider));
  }
}

function toResource(p: UpstreamProvider) {
  return resource(TYPE, COLLECTION, p.id, {
    issuer: p.issuer,
    human_name: p.humanName,
    brand_name: p.brandName,
    created_at: p.createdAt.toISOString(),
    disabled_at: p.disabledAt?.toISOString() ?? null,
    // Accounts made through an upstream provider are not asked for a registration token here: the
    // configuration has no such option.
    registration_token_required: false,
  });
}
