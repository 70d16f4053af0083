import { z } from 'zod';
import { MAS_ADMIN_SCOPE } from '../scopes/matrix-scopes';
import { ADMIN_PREFIX, type AdminOperation } from './operation';

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a zod schema, as a request (`input`) or an answer. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    reused: 'inline',
  });
  return rest;
}

export interface SpecInfo {
  /** The public base URL of the service (servers[0]). */
  baseUrl: string;
  version: string;
  tokenUrl: string;
}

/**
 * The OpenAPI 3.1 document of the admin API, built from the operations the controllers declare (their
 * zod schemas become the parameters, bodies and answers). Served at `/api/spec.json`.
 */
export function buildSpec(operations: readonly AdminOperation[], info: SpecInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  for (const op of [...operations].sort(
    (a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method),
  )) {
    tags.add(op.tag);
    const parameters: JsonSchema[] = [];
    for (const [name, field] of Object.entries(op.params.shape))
      parameters.push({ name, in: 'path', required: true, schema: jsonSchema(field as z.ZodType, 'input') });
    for (const [name, field] of Object.entries(op.query.shape)) {
      const f = field as z.ZodType;
      const schema = jsonSchema(f, 'input');
      const description = typeof schema['description'] === 'string' ? schema['description'] : undefined;
      parameters.push({
        name,
        in: 'query',
        required: !f.safeParse(undefined).success,
        ...(description === undefined ? {} : { description }),
        // Names such as page[first] are literal: not the deepObject style.
        style: 'form',
        explode: true,
        schema,
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, doc] of Object.entries(op.responses))
      responses[status] = {
        description: doc.description,
        ...(doc.schema === undefined
          ? {}
          : { content: { 'application/json': { schema: jsonSchema(doc.schema, 'output') } } }),
      };
    const operation: Record<string, unknown> = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description === undefined ? {} : { description: op.description }),
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(op.body === undefined
        ? {}
        : {
            requestBody: {
              required: !op.body.safeParse({}).success,
              content: { 'application/json': { schema: jsonSchema(op.body, 'input') } },
            },
          }),
      responses,
    };
    const path = `${ADMIN_PREFIX}${op.path}`;
    paths[path] = { ...(paths[path] ?? {}), [op.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Matrix 2.0 Gateway auth service admin API',
      description:
        'Administration of users and sessions, compatible with the Matrix Authentication Service admin API. ' +
        `Every operation needs a Bearer token carrying the \`${MAS_ADMIN_SCOPE}\` scope.`,
      version: info.version,
    },
    servers: [{ url: info.baseUrl }],
    tags: [...tags].sort().map((name) => ({ name })),
    security: [{ oauth2: [MAS_ADMIN_SCOPE] }, { bearer: [] }],
    components: {
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description: 'An admin client (client credentials) or an admin user signed in with the scope.',
          flows: {
            clientCredentials: {
              tokenUrl: info.tokenUrl,
              scopes: { [MAS_ADMIN_SCOPE]: 'Administer the auth service' },
            },
          },
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: `An access token carrying ${MAS_ADMIN_SCOPE}.`,
        },
      },
    },
    paths,
  };
}
