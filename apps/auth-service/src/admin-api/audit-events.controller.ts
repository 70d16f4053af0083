import { Controller, Get, Inject, UseFilters, UseGuards } from '@nestjs/common';
import { isUlid, type AuditEvent, type AuditEventFilter, type AuthStore } from '@gateway/auth-data';
import { z } from 'zod';
import { AdminApiErrorFilter } from '@gateway/server';
import { AUDIT_EVENT_TYPES } from '../audit/audit-events';
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

// Not a MAS resource (MAS has no audit log): named in its style.
const TYPE = 'audit-event';
const COLLECTION = 'audit-events';
const TAG = 'audit-event';
const attributes = z.object({
  created_at: timestamp(),
  type: z.enum(AUDIT_EVENT_TYPES),
  outcome: z
    .enum(['attempted', 'succeeded', 'failed'])
    .meta({ description: 'attempted: an admin or operator change about to be made; its outcome follows.' }),
  actor: z.string().meta({ description: "A user ID, an admin client ID, 'cli', 'system' or 'anonymous'." }),
  actor_kind: z.enum(['user', 'client', 'cli', 'system', 'anonymous']),
  subject: z
    .string()
    .nullable()
    .meta({ description: 'What was acted on: a user ID, a session ID, a registration token ID…' }),
  ip: z.string().nullable().meta({ description: 'The client address (behind trusted proxies).' }),
  user_agent: z.string().nullable(),
  details: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .meta({ description: 'A few facts about the event; never a secret.' }),
});
const error = (description: string) => ({ description, schema: errorSchema });
const authErrors = {
  401: error('Missing, unknown or expired token.'),
  403: error('The token lacks urn:mas:admin.'),
};
const none = z.object({});

export const listAuditEvents = defineOperation({
  operationId: 'listAuditEvents',
  method: 'get',
  path: `/${COLLECTION}`,
  tag: TAG,
  summary: 'List audit events, oldest first',
  params: none,
  query: z.object({
    ...paginationQuery,
    'filter[actor]': z.string().min(1).optional().meta({ description: 'Only events of this actor.' }),
    'filter[subject]': z.string().min(1).optional().meta({ description: 'Only events about this subject.' }),
    'filter[type]': z.enum(AUDIT_EVENT_TYPES).optional().meta({ description: 'Only events of this type.' }),
    'filter[since]': timestamp().optional().meta({ description: 'Only events at or after this time.' }),
    'filter[until]': timestamp().optional().meta({ description: 'Only events before this time.' }),
  }),
  body: undefined,
  responses: {
    200: { description: 'A page of audit events.', schema: listSchema(TYPE, attributes) },
    400: error('A bad filter or page parameter.'),
    ...authErrors,
  },
});

export const getAuditEvent = defineOperation({
  operationId: 'getAuditEvent',
  method: 'get',
  path: `/${COLLECTION}/{id}`,
  tag: TAG,
  summary: 'Get an audit event',
  params: z.object({ id: z.string().meta({ description: 'The audit event ID (a ULID).' }) }),
  query: none,
  body: undefined,
  responses: {
    200: { description: 'The audit event.', schema: singleSchema(TYPE, attributes) },
    404: error('No such audit event.'),
    ...authErrors,
  },
});

/** `/api/admin/v1/audit-events`: the audit log, read only. */
@Controller(`api/admin/v1/${COLLECTION}`)
@UseGuards(AdminAuthGuard)
@UseFilters(AdminApiErrorFilter)
export class AuditEventsController {
  constructor(@Inject(AUTH_STORE) private readonly store: AuthStore) {}

  @Get()
  @Operation(listAuditEvents)
  async list(@AdminInput(listAuditEvents) { query }: ParsedInput<typeof listAuditEvents>) {
    const page = pageRequest(query, isUlid);
    const filter: AuditEventFilter = {};
    if (query['filter[actor]'] !== undefined) filter.actor = query['filter[actor]'];
    if (query['filter[subject]'] !== undefined) filter.subject = query['filter[subject]'];
    if (query['filter[type]'] !== undefined) filter.type = query['filter[type]'];
    if (query['filter[since]'] !== undefined) filter.since = new Date(query['filter[since]']);
    if (query['filter[until]'] !== undefined) filter.until = new Date(query['filter[until]']);
    const events = this.store.auditEvents;
    return listAnswer(
      COLLECTION,
      query,
      { count: () => events.count(filter), page: () => events.listPage(filter, page) },
      toResource,
    );
  }

  @Get(':id')
  @Operation(getAuditEvent)
  async get(@AdminInput(getAuditEvent) { params }: ParsedInput<typeof getAuditEvent>) {
    const event = await this.store.auditEvents.findById(params.id);
    if (!event) throw notFound('Audit event', params.id);
    return single(toResource(event));
  }
}

function toResource(e: AuditEvent) {
  return resource(TYPE, COLLECTION, e.id, {
    created_at: e.createdAt.toISOString(),
    type: e.type,
    outcome: e.outcome,
    actor: e.actor,
    actor_kind: e.actorKind,
    subject: e.subject,
    ip: e.ip,
    user_agent: e.userAgent,
    details: e.details,
  });
}
