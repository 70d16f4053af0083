import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The least an auth service must serve for a delegated-mode Synapse to start and authenticate
 * requests: the discovery document Synapse validates (string `issuer` and
 * `account_management_uri`) and `POST /oauth2/introspect`, answered from an in-memory table the test
 * fills. Every introspection request is recorded as received, so tests can assert what Synapse sends.
 */
export interface RecordedIntrospection {
  headers: IncomingHttpHeaders;
  rawBody: string;
  form: Record<string, string>;
}

export interface StubAuthService {
  /** `http://127.0.0.1:<port>/`: the `endpoint` to give Synapse, also the issuer. */
  url: string;
  /** token → introspection response body (HTTP 200). Unknown tokens get `{"active":false}`. */
  tokens: Map<string, Record<string, unknown>>;
  /** token → HTTP status to fail its introspection with (takes precedence over `tokens`). */
  failures: Map<string, number>;
  introspections: RecordedIntrospection[];
  /** How many times Synapse introspected this token (cache misses). */
  introspectionsOf(token: string): number;
  /** Every request, as `METHOD /path`. */
  requests: string[];
  stop(): Promise<void>;
}

export function discoveryDocument(issuer: string): Record<string, unknown> {
  const base = issuer.replace(/\/$/, '');
  return {
    issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/oauth2/token`,
    revocation_endpoint: `${base}/oauth2/revoke`,
    registration_endpoint: `${base}/oauth2/registration`,
    introspection_endpoint: `${base}/oauth2/introspect`,
    jwks_uri: `${base}/oauth2/keys.json`,
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    prompt_values_supported: ['create'],
    account_management_uri: `${base}/account/`,
    account_management_actions_supported: ['org.matrix.profile', 'org.matrix.devices_list'],
  };
}

export async function startStubAuthService(secret: string): Promise<StubAuthService> {
  const tokens = new Map<string, Record<string, unknown>>();
  const failures = new Map<string, number>();
  const introspections: RecordedIntrospection[] = [];
  const requests: string[] = [];
  let url = '';

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      json(res, 500, { error: 'server_error', error_description: String(err) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const rawBody = await readBody(req);
    requests.push(`${req.method ?? ''} ${path}`);
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      json(res, 200, discoveryDocument(url));
      return;
    }
    if (req.method === 'POST' && path === '/oauth2/introspect') {
      const form = Object.fromEntries(new URLSearchParams(rawBody));
      introspections.push({ headers: req.headers, rawBody, form });
      if (req.headers.authorization !== `Bearer ${secret}`) {
        json(res, 401, { error: 'invalid_client' });
        return;
      }
      const token = form['token'] ?? '';
      const failure = failures.get(token);
      if (failure !== undefined) json(res, failure, { error: 'server_error' });
      else json(res, 200, tokens.get(token) ?? { active: false });
      return;
    }
    json(res, 404, { error: 'not_found' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    tokens,
    failures,
    introspections,
    requests,
    introspectionsOf: (token) => introspections.filter((i) => i.form['token'] === token).length,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => {
          if (err) reject(err);
          else resolve();
        });
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
