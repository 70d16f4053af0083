import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { z } from 'zod';
import { AdminApiError } from '@gateway/server';

/** Where the admin API lives (MAS's paths: tools such as Element Admin hard-code them). */
export const ADMIN_PREFIX = '/api/admin/v1';

/** One response of an operation: its status, what it means, and the schema of its JSON body. */
export interface ResponseDoc {
  description: string;
  /** Absent for answers without a body (204). */
  schema?: z.ZodType;
}

/**
 * An admin API operation as the controller handling it declares it. The same zod schemas parse the
 * request (`AdminInput`) and become the OpenAPI document (`openapi.ts`), so the document cannot drift
 * from what the code accepts and answers.
 */
export interface AdminOperation<
  P extends z.ZodObject = z.ZodObject,
  Q extends z.ZodObject = z.ZodObject,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI path under the prefix, `{name}` for path parameters. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  params: P;
  query: Q;
  body: B;
  responses: Record<number, ResponseDoc>;
}

/** Declares an operation with its inputs' types kept (`defineOperation({...})` in each controller). */
export function defineOperation<
  P extends z.ZodObject,
  Q extends z.ZodObject,
  B extends z.ZodType | undefined,
>(op: AdminOperation<P, Q, B>): AdminOperation<P, Q, B> {
  return op;
}

export interface ParsedInput<O extends AdminOperation> {
  params: z.output<O['params']>;
  query: z.output<O['query']>;
  body: O['body'] extends z.ZodType ? z.output<O['body']> : undefined;
}

export const ADMIN_OPERATION = 'gateway:admin-operation';

/** Marks a handler as the implementation of `op`; the spec is built from these marks. */
export const Operation = (op: AdminOperation) => SetMetadata(ADMIN_OPERATION, op);

interface RequestLike {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

/**
 * The handler's validated input, parsed with the operation's schemas: a bad value is MAS's 400 with a
 * title naming the parameter, never a 500.
 */
export const AdminInput = createParamDecorator((op: AdminOperation, ctx: ExecutionContext) => {
  const req = ctx.switchToHttp().getRequest<RequestLike>();
  return parseInput(op, req);
});

export function parseInput<O extends AdminOperation>(op: O, req: RequestLike): ParsedInput<O> {
  const params = op.params.safeParse(req.params ?? {});
  if (!params.success) throw new AdminApiError(400, `Invalid path: ${describe(params.error)}`);
  const query = op.query.safeParse(singleValues(req.query));
  if (!query.success) throw new AdminApiError(400, `Invalid query: ${describe(query.error)}`);
  let body: unknown = undefined;
  if (op.body !== undefined) {
    const parsed = op.body.safeParse(req.body ?? {});
    if (!parsed.success) throw new AdminApiError(400, `Invalid request body: ${describe(parsed.error)}`);
    body = parsed.data;
  }
  return { params: params.data, query: query.data, body } as ParsedInput<O>;
}

/** A repeated query parameter is refused (its value would be a list). */
function singleValues(query: unknown): Record<string, unknown> {
  if (typeof query !== 'object' || query === null) return {};
  return { ...(query as Record<string, unknown>) };
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const where = issue.path.map(String).join('.');
  return where === '' ? issue.message : `${where}: ${issue.message}`;
}
