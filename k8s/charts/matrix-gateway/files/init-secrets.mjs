// The initSecrets Job: makes sure Secret $SECRET_NAME holds every key listed in $GENERATE
// ("KEY=kind,..."), generating the missing ones and never touching keys that exist, through the
// Kubernetes API with the pod's service account. Kinds:
//   hex32     32 random bytes, hex (shared secrets)
//   rsa-jwks  a JWKS with one RSA-2048 private key, RS256 (the auth service's signing keys; the same
//             form apps/auth-service/src/oidc/signing-keys.ts writes when it generates one itself)
// `node init-secrets.mjs --print` prints freshly generated values as JSON instead (for tests).
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

const GENERATORS = {
  hex32: () => randomBytes(32).toString('hex'),
  'rsa-jwks': () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' });
    const kid = createHash('sha256').update(jwk.n).digest('base64url').slice(0, 16);
    return JSON.stringify({ keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] });
  },
};

function wanted() {
  const spec = process.env.GENERATE ?? '';
  return spec
    .split(',')
    .filter((s) => s !== '')
    .map((entry) => {
      const [key, kind] = entry.split('=');
      if (!key || !GENERATORS[kind]) throw new Error(`GENERATE: bad entry "${entry}"`);
      return { key, kind };
    });
}

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';

function api(method, path, body) {
  const token = readFileSync(`${SA}/token`, 'utf8');
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: process.env.KUBERNETES_SERVICE_HOST,
        port: process.env.KUBERNETES_SERVICE_PORT ?? 443,
        path,
        method,
        ca: readFileSync(`${SA}/ca.crt`),
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(payload === undefined
            ? {}
            : {
                'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
                'Content-Length': Buffer.byteLength(payload),
              }),
        },
        timeout: 30_000,
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function main() {
  const keys = wanted();
  if (process.argv.includes('--print')) {
    process.stdout.write(
      `${JSON.stringify(Object.fromEntries(keys.map((k) => [k.key, GENERATORS[k.kind]()])))}\n`,
    );
    return;
  }
  const name = process.env.SECRET_NAME;
  if (!name) throw new Error('SECRET_NAME is required');
  const namespace = readFileSync(`${SA}/namespace`, 'utf8').trim();
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
  const labels = JSON.parse(process.env.SECRET_LABELS ?? '{}');

  const got = await api('GET', `${base}/${encodeURIComponent(name)}`);
  if (got.status === 404) {
    const data = Object.fromEntries(
      keys.map((k) => [k.key, Buffer.from(GENERATORS[k.kind]()).toString('base64')]),
    );
    const created = await api('POST', base, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace, labels },
      type: 'Opaque',
      data,
    });
    if (created.status !== 201) throw new Error(`creating ${name}: ${created.status} ${created.body}`);
    console.log(`created ${name} with ${keys.map((k) => k.key).join(', ')}`);
    return;
  }
  if (got.status !== 200) throw new Error(`reading ${name}: ${got.status} ${got.body}`);
  const existing = JSON.parse(got.body).data ?? {};
  const missing = keys.filter((k) => !existing[k.key]);
  if (missing.length === 0) {
    console.log(`${name} already holds ${keys.map((k) => k.key).join(', ')}`);
    return;
  }
  const data = Object.fromEntries(
    missing.map((k) => [k.key, Buffer.from(GENERATORS[k.kind]()).toString('base64')]),
  );
  const patched = await api('PATCH', `${base}/${encodeURIComponent(name)}`, { data });
  if (patched.status !== 200) throw new Error(`updating ${name}: ${patched.status} ${patched.body}`);
  console.log(`added ${missing.map((k) => k.key).join(', ')} to ${name}`);
}

main().catch((err) => {
  console.error(`init-secrets: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
