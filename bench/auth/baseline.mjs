// The baseline for bench/auth: a bare node:http server answering introspection from the same Postgres
// rows the auth service reads — check the Bearer secret, hash the token, one SELECT, answer JSON — and
// nothing else (no format check, no user lookup, no scope policy, no framework).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';

const [, , port, databaseUrl, secret] = process.argv;
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    if (req.headers.authorization !== `Bearer ${secret}`) return res.writeHead(401).end();
    const token = new URLSearchParams(Buffer.concat(chunks).toString()).get('token') ?? '';
    const id = createHash('sha256').update(token).digest('hex');
    const { rows } = await pool.query(
      "SELECT payload FROM oidc_payloads WHERE model = 'AccessToken' AND id = $1",
      [id],
    );
    const p = rows[0]?.payload;
    const body = p
      ? { active: true, scope: p.scope, client_id: p.clientId, sub: p.accountId, exp: p.exp }
      : { active: false };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  });
}).listen(Number(port), '127.0.0.1');
