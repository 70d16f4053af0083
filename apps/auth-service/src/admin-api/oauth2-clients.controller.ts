import { Controller, Get, Inject, UseFilters, UseGuards } from '@nestjs/common';
import type { AuthStore, StoredPayload } from '@gateway/auth-data';
import { ownField, stringField, stringsField } from '@gateway/util';
import { z } from 'zod';
import { AdminApiErrorFilter } from '@gateway/server';
import { AUTH_STORE } from '../tokens';
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
} from './resources';

// RFC 7591 metadata as registered (never the secret).
const attributes = z.object({
  client_id: z.string(),
  client_name: z.string().nullable(),
  client_uri: z.string().nullable(),
  logo_uri: z.string().nullable(),
  policy_uri: z.string().nullable(),
  tos_uri: z.string().nullable(),
  redirect_uris: z.array(z.string()),
  grant_types: z.array(z.string()),
  application_type: z.string().nullable(),
  token_endpoint_auth_method: z.string().nullable(),
  created_at: timestamp().nullable(),
});
const TYPE = 'oauth2-client';
const error = (description: string) => ({ description, schema: errorSchema });
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};

export const listOAuth2Clients = defineOperation({
  operationId: 'listOAuth2Clients',
  method: 'get',
  path: '/oauth2-clients',
  tag: 'oauth2-client',
  summary: 'List the clients registered through dynamic client registration',
  params: z.object({}),
  query: z.object(paginationQuery),
  body: undefined,
  responses: {
    200: { description: 'A page of clients.', schema: listSchema(TYPE, attributes) },
    400: error('A bad page parameter.'),
    ...authErrors,
  },
});

export const getOAuth2Client = defineOperation({
  operationId: 'getOAuth2Client',
  method: 'get',
  path: '/oauth2-clients/{id}',
  tag: 'oauth2-client',
  summary: 'Get a registered client',
  params: z.object({ id: z.string().min(1).max(1024).meta({ description: 'The client ID.' }) }),
  query: z.object({}),
  body: undefined,
  responses: {
    200: { description: 'The client.', schema: singleSchema(TYPE, attributes) },
    404: error('No such client.'),
    ...authErrors,
  },
});

/** `/api/admin/v1/oauth2-clients`: read-only, as in MAS. */
@Controller('api/admin/v1/oauth2-clients')
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class OAuth2ClientsController {
  constructor(@Inject(AUTH_STORE) private readonly store: AuthStore) {}

  @Get()
  @Operation(listOAuth2Clients)
  async list(@AdminInput(listOAuth2Clients) { query }: ParsedInput<typeof listOAuth2Clients>) {
    const page = pageRequest(query);
    const payloads = this.store.payloads;
    return listAnswer(
      'oauth2-clients',
      query,
      { count: () => payloads.countModel('Client'), page: () => payloads.listModel('Client', page) },
      (c) => toResource(c.id, c.payload),
    );
  }

  @Get(':id')
  @Operation(getOAuth2Client)
  async get(@AdminInput(getOAuth2Client) { params }: ParsedInput<typeof getOAuth2Client>) {
    const client = await this.store.payloads.find('Client', params.id);
    if (!client) throw notFound('OAuth 2.0 client', params.id);
    return single(toResource(params.id, client));
  }
}

function toResource(id: string, p: StoredPayload) {
  const text = (name: string) => stringField(p, name) ?? null;
  const issuedAt = ownField(p, 'client_id_issued_at');
  return resource(TYPE, 'oauth2-clients', id, {
    client_id: id,
    client_name: text('client_name'),
    client_uri: text('client_uri'),
    logo_uri: text('logo_uri'),
    policy_uri: text('policy_uri'),
    tos_uri: text('tos_uri'),
    redirect_uris: stringsField(p, 'redirect_uris') ?? [],
    grant_types: stringsField(p, 'grant_types') ?? [],
    application_type: text('application_type'),
    token_endpoint_auth_method: text('token_endpoint_auth_method'),
    created_at: typeof issuedAt === 'number' ? new Date(issuedAt * 1000).toISOString() : null,
  });
}
