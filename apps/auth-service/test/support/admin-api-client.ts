import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv8/dist/2020.js';

type Json = Record<string, unknown>;

export interface AdminAnswer {
  status: number;
  body: Json;
  headers: Headers;
}

interface DocumentedOperation {
  id: string;
  method: string;
  pattern: RegExp;
  validators: Map<string, ValidateFunction | null>;
}

/**
 * Calls the admin API and checks every answer against the service's own OpenAPI document: the status must
 * be documented for the operation and the body must match its schema. Records which operations were
 * exercised, so a test can require that all of them were.
 */
export class AdminApiClient {
  private readonly operations: DocumentedOperation[] = [];
  readonly exercised = new Set<string>();

  private constructor(
    private readonly base: string,
    readonly spec: Json,
  ) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    // The document's date-time strings carry zod's ISO pattern, so the format keyword adds nothing here.
    ajv.addFormat('date-time', true);
    for (const [path, item] of Object.entries(spec['paths'] as Json)) {
      const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const [method, raw] of Object.entries(item as Json)) {
        const op = raw as Json;
        const validators = new Map<string, ValidateFunction | null>();
        for (const [status, response] of Object.entries(op['responses'] as Json)) {
          const schema = ((response as Json)['content'] as Json | undefined)?.['application/json'] as
            Json | undefined;
          validators.set(status, schema === undefined ? null : ajv.compile(schema['schema'] as Json));
        }
        this.operations.push({
          id: String(op['operationId']),
          method: method.toUpperCase(),
          pattern,
          validators,
        });
      }
    }
  }

  /** Fetches `/api/spec.json`, checks it with a standard OpenAPI validator, and builds the client. */
  static async open(issuer: string): Promise<AdminApiClient> {
    const res = await fetch(new URL('api/spec.json', issuer));
    if (res.status !== 200) throw new Error(`spec.json answered ${res.status}`);
    const spec = (await res.json()) as Json;
    const validator = new Validator();
    const result = await validator.validate(spec);
    if (!result.valid) throw new Error(`invalid OpenAPI document: ${JSON.stringify(result.errors, null, 2)}`);
    if (validator.version !== '3.1') throw new Error(`expected OpenAPI 3.1, got ${validator.version}`);
    return new AdminApiClient(issuer.replace(/\/$/, ''), spec);
  }

  operationIds(): string[] {
    return this.operations.map((o) => o.id);
  }

  async call(
    method: string,
    path: string,
    options: { token?: string | undefined; body?: unknown; authorization?: string } = {},
  ): Promise<AdminAnswer> {
    const headers: Record<string, string> = {};
    if (options.authorization !== undefined) headers['authorization'] = options.authorization;
    else if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    const body = text === '' ? {} : (JSON.parse(text) as Json);
    const pathOnly = path.split('?')[0]!;
    const op = this.operations.find((o) => o.method === method && o.pattern.test(pathOnly));
    if (!op) throw new Error(`${method} ${pathOnly} is not in the OpenAPI document`);
    if (!op.validators.has(String(res.status)))
      throw new Error(`${op.id} answered ${res.status}, which the document does not list: ${text}`);
    const validate = op.validators.get(String(res.status));
    if (validate === null) {
      if (text !== '')
        throw new Error(`${op.id} answered ${res.status} with a body the document does not have`);
    } else if (validate && !validate(body)) {
      throw new Error(
        `${op.id} ${res.status} does not match its schema: ${JSON.stringify(validate.errors)}\n${text}`,
      );
    }
    this.exercised.add(op.id);
    return { status: res.status, body, headers: res.headers };
  }
}
