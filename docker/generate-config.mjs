#!/usr/bin/env node
// Renders the compose stack's configuration files from one .env (docker/.env.example documents it):
//   generated/synapse/homeserver.yaml, generated/synapse/log.config, generated/livekit/livekit.yaml,
//   generated/well-known/matrix/client, generated/well-known/matrix/server.
//
//   node docker/generate-config.mjs [--env docker/.env] [--out docker/generated]
//   node docker/generate-config.mjs init [--env docker/.env]   # .env from .env.example, fresh secrets;
//                                                              # on an existing .env, adds missing secrets
//
// Plain Node (>= 20), no dependencies, so an operator can run it before anything is built. A missing or
// malformed variable stops it with a message naming the variable (exit 2).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Parses a .env file the way Compose does for plain KEY=VALUE lines (comments, optional quotes). */
export function parseEnv(text) {
  const env = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new ConfigError([`not a KEY=VALUE line: ${line}`]);
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    env[key] = value;
  }
  return env;
}

export class ConfigError extends Error {
  constructor(problems) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

const SERVER_NAME = /^[A-Za-z0-9.-]+(?::\d{1,5})?$/;

/** Reads and checks every variable the generated files use; defaults match .env.example. */
export function readSettings(env) {
  const problems = [];
  const get = (name, fallback) => {
    const v = env[name];
    if (v === undefined || v === '') {
      if (fallback === undefined) problems.push(`${name}: must be set`);
      return fallback ?? '';
    }
    return v;
  };
  const url = (name, protocols, fallback) => {
    const v = get(name, fallback);
    if (v === '') return v;
    let parsed;
    try {
      parsed = new URL(v);
    } catch {
      problems.push(`${name}: "${v}" is not a URL`);
      return v;
    }
    if (!protocols.includes(parsed.protocol))
      problems.push(`${name}: "${v}" must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL`);
    if (parsed.search !== '' || parsed.hash !== '')
      problems.push(`${name}: "${v}" must not have a query or fragment`);
    return v;
  };
  const secret = (name, min) => {
    const v = env[name] ?? '';
    if (v === '') {
      problems.push(`${name}: must be set (run "init": it adds missing secrets to an existing .env)`);
      return v;
    }
    if (v !== '' && v.length < min) problems.push(`${name}: must be at least ${min} characters`);
    if (/CHANGE_ME/.test(v)) problems.push(`${name}: still the example's placeholder (run "init")`);
    return v;
  };
  const port = (name, fallback) => {
    const v = get(name, fallback);
    if (!/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535)
      problems.push(`${name}: "${v}" is not a port`);
    return Number(v);
  };

  const serverName = get('SERVER_NAME');
  if (serverName !== '' && !SERVER_NAME.test(serverName))
    problems.push(`SERVER_NAME: "${serverName}" is not a Matrix server name`);
  const s = {
    serverName,
    matrixPublicUrl: url('MATRIX_PUBLIC_URL', ['http:', 'https:']),
    authPublicUrl: url('AUTH_PUBLIC_URL', ['http:', 'https:']),
    dashboardPublicUrl: url('DASHBOARD_PUBLIC_URL', ['http:', 'https:']),
    rtcPublicUrl: url('RTC_PUBLIC_URL', ['http:', 'https:']),
    livekitPublicUrl: url('LIVEKIT_PUBLIC_URL', ['ws:', 'wss:']),
    livekitNodeIp: get('LIVEKIT_NODE_IP', ''),
    livekitRtcTcpPort: port('LIVEKIT_RTC_TCP_PORT', '7881'),
    livekitUdpStart: port('LIVEKIT_RTC_UDP_START', '50000'),
    livekitUdpEnd: port('LIVEKIT_RTC_UDP_END', '50100'),
    livekitApiKey: get('LIVEKIT_API_KEY'),
    livekitApiSecret: secret('LIVEKIT_API_SECRET', 32),
    masSecret: secret('SYNAPSE_MAS_SECRET', 16),
    syncSecret: secret('SYNCV3_SECRET', 32),
    // Not in the generated files, but compose.yaml needs them; init adds them to an older .env.
    rtcMembershipSecret: secret('RTC_MEMBERSHIP_CLIENT_SECRET', 16),
    rtcAdminSecret: secret('RTC_ADMIN_CLIENT_SECRET', 16),
    syncAdminSecret: secret('SYNC_ADMIN_CLIENT_SECRET', 16),
    mfaKey: secret('MFA_ENCRYPTION_KEY', 32),
    postgresPassword: secret('POSTGRES_PASSWORD', 16),
    postgresUser: get('POSTGRES_USER', 'gateway'),
    postgresHost: get('POSTGRES_HOST', 'postgres'),
    postgresPort: port('POSTGRES_PORT', '5432'),
    synapseDb: get('SYNAPSE_DB_NAME', 'synapse'),
    synapseAuthEndpoint: url('SYNAPSE_AUTH_ENDPOINT', ['http:', 'https:'], 'http://auth-service:8080/'),
    rtcInternalUrl: url('RTC_INTERNAL_URL', ['http:', 'https:'], 'http://rtc-jwt-service:8080'),
    synapseDataDir: get('SYNAPSE_DATA_DIR', '/data'),
    synapseConfigDir: get('SYNAPSE_CONFIG_DIR', '/config'),
  };
  if (s.livekitApiKey !== '' && !/^[\w-]+$/.test(s.livekitApiKey))
    problems.push('LIVEKIT_API_KEY: letters, digits, _ and - only');
  // compose.yaml gives the auth service DASHBOARD_PUBLIC_URL + "callback" as the dashboard's redirect URI.
  if (s.dashboardPublicUrl !== '' && !s.dashboardPublicUrl.endsWith('/'))
    problems.push(`DASHBOARD_PUBLIC_URL: "${s.dashboardPublicUrl}" must end with /`);
  if (s.livekitUdpEnd < s.livekitUdpStart)
    problems.push('LIVEKIT_RTC_UDP_END: must not be below LIVEKIT_RTC_UDP_START');
  if (problems.length > 0) throw new ConfigError(problems);
  return s;
}

const slash = (u) => (u.endsWith('/') ? u : `${u}/`);
const noSlash = (u) => u.replace(/\/+$/, '');

/** homeserver.yaml: Synapse with all authentication delegated to the auth service (MSC3861). */
export function homeserverConfig(s) {
  return {
    server_name: s.serverName,
    // Clients reach Synapse through the sync proxy, which forwards every other /_matrix request.
    public_baseurl: slash(s.matrixPublicUrl),
    listeners: [
      {
        port: 8008,
        bind_addresses: ['0.0.0.0'],
        type: 'http',
        tls: false,
        x_forwarded: true,
        resources: [{ names: ['client', 'federation'], compress: false }],
      },
    ],
    database: {
      name: 'psycopg2',
      args: {
        user: s.postgresUser,
        password: s.postgresPassword,
        dbname: s.synapseDb,
        host: s.postgresHost,
        port: s.postgresPort,
        cp_min: 5,
        cp_max: 10,
      },
    },
    log_config: `${s.synapseConfigDir}/log.config`,
    media_store_path: `${s.synapseDataDir}/media_store`,
    signing_key_path: `${s.synapseDataDir}/${s.serverName.replace(/:.*/, '')}.signing.key`,
    report_stats: false,
    // Synapse refuses to start with delegated auth unless registration and passwords are off.
    enable_registration: false,
    password_config: { enabled: false },
    matrix_authentication_service: {
      enabled: true,
      endpoint: slash(s.synapseAuthEndpoint),
      secret: s.masSecret,
    },
    experimental_features: {
      // GET /_matrix/client/unstable/org.matrix.msc4143/rtc/transports, which Element X reads.
      msc4143_enabled: true,
      // MSC4108 sign in with QR code (needs matrix_authentication_service).
      msc4108_enabled: true,
      // MSC4502 is_joined, which the RTC service asks before it mints a LiveKit token.
      msc4502_enabled: true,
      // MSC4306 thread subscriptions, which the sync proxy's MSC4308 extension reads.
      msc4306_enabled: true,
    },
    matrix_rtc: { transports: [{ type: 'livekit', livekit_service_url: noSlash(s.rtcPublicUrl) }] },
    // MSC4140 delayed events, which MatrixRTC's delayed leave uses.
    max_event_delay_duration: '24h',
  };
}

export function synapseLogConfig() {
  return [
    'version: 1',
    'formatters:',
    '  precise:',
    "    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'",
    'handlers:',
    '  console:',
    '    class: logging.StreamHandler',
    '    formatter: precise',
    '    filters: [context]',
    'filters:',
    '  context:',
    '    (): synapse.logging.context.LoggingContextFilter',
    '    request: ""',
    'root:',
    '  level: INFO',
    '  handlers: [console]',
    'disable_existing_loggers: false',
    '',
  ].join('\n');
}

/** livekit.yaml for a single-node LiveKit SFU whose webhooks go to the RTC service. */
export function livekitConfig(s) {
  return {
    port: 7880,
    rtc: {
      tcp_port: s.livekitRtcTcpPort,
      port_range_start: s.livekitUdpStart,
      port_range_end: s.livekitUdpEnd,
      ...(s.livekitNodeIp !== '' ? { node_ip: s.livekitNodeIp } : { use_external_ip: true }),
    },
    keys: { [s.livekitApiKey]: s.livekitApiSecret },
    // Rooms are created by the RTC service for authorised users only (MSC4195).
    room: { auto_create: false },
    webhook: { api_key: s.livekitApiKey, urls: [`${noSlash(s.rtcInternalUrl)}/sfu_webhook`] },
    logging: { level: 'info' },
  };
}

/** The discovery documents for https://<SERVER_NAME>/.well-known/matrix/{client,server}. */
export function wellKnown(s) {
  const matrixHost = new URL(s.matrixPublicUrl);
  return {
    client: {
      'm.homeserver': { base_url: noSlash(s.matrixPublicUrl) },
      'org.matrix.msc4143.rtc_foci': [{ type: 'livekit', livekit_service_url: noSlash(s.rtcPublicUrl) }],
    },
    server: { 'm.server': `${matrixHost.hostname}:${matrixHost.port || '443'}` },
  };
}

/**
 * YAML for plain data: strings are emitted JSON-quoted (a valid YAML double-quoted scalar), so no value
 * can be misread as another type or break the structure.
 */
export function toYaml(value, indent = '') {
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return value
      .map((item) => {
        const body = toYaml(item, `${indent}  `);
        return isBlock(item) ? `\n${indent}- ${body.trimStart()}` : `\n${indent}-${body}`;
      })
      .join('');
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return ' {}';
    return entries.map(([k, v]) => `\n${indent}${yamlKey(k)}:${toYaml(v, `${indent}  `)}`).join('');
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return ` ${JSON.stringify(value)}`;
  throw new Error(`cannot render ${String(value)} as YAML`);
}
const yamlKey = (k) => (/^[A-Za-z_][\w.-]*$/.test(k) ? k : JSON.stringify(k));
const isBlock = (v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0;

const HEADER = '# Generated by docker/generate-config.mjs from .env; edit .env and re-run it instead.\n';

/** Every generated file, path relative to the output directory -> contents. */
export function renderAll(env) {
  const s = readSettings(env);
  const wk = wellKnown(s);
  return {
    'synapse/homeserver.yaml': HEADER + toYaml(homeserverConfig(s)).trimStart() + '\n',
    'synapse/log.config': synapseLogConfig(),
    'livekit/livekit.yaml': HEADER + toYaml(livekitConfig(s)).trimStart() + '\n',
    'well-known/matrix/client': JSON.stringify(wk.client, null, 2) + '\n',
    'well-known/matrix/server': JSON.stringify(wk.server, null, 2) + '\n',
  };
}

const freshSecret = () => randomBytes(24).toString('hex');

/**
 * Without a .env: the example with fresh secrets. With one: appends a fresh value for every secret the
 * example has and the .env lacks (an upgrade that brought new ones), and changes nothing else.
 */
function initEnv(envPath) {
  const example = readFileSync(join(here, '.env.example'), 'utf8');
  if (!existsSync(envPath)) {
    writeFileSync(envPath, example.replace(/CHANGE_ME\w*/g, freshSecret), { mode: 0o600 });
    console.log(`wrote ${envPath} with fresh secrets; set SERVER_NAME and the public URLs, then run again`);
    return 0;
  }
  const current = readFileSync(envPath, 'utf8');
  const present = parseEnv(current);
  const missing = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=CHANGE_ME\w*$/gm)]
    .map((m) => m[1])
    .filter((name) => (present[name] ?? '') === '');
  if (missing.length === 0) {
    console.log(`${envPath} has every secret; nothing to add`);
    return 0;
  }
  const sep = current === '' || current.endsWith('\n') ? '' : '\n';
  const added = missing.map((name) => `${name}=${freshSecret()}\n`).join('');
  writeFileSync(envPath, `${current}${sep}# Added by generate-config.mjs init\n${added}`, { mode: 0o600 });
  console.log(`added fresh ${missing.join(', ')} to ${envPath}`);
  return 0;
}

function main(argv) {
  const args = [...argv];
  const command = args[0] === 'init' ? args.shift() : 'generate';
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? resolve(args[i + 1]) : fallback;
  };
  const envPath = option('--env', join(here, '.env'));
  if (command === 'init') {
    try {
      return initEnv(envPath);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(`${envPath}: ${err.message}`);
      return 2;
    }
  }
  const out = option('--out', join(here, 'generated'));
  let files;
  try {
    files = renderAll(parseEnv(readFileSync(envPath, 'utf8')));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${envPath}: ${err.message}`);
      return 2;
    }
    if (err.code === 'ENOENT') {
      console.error(`${envPath} not found: run "node docker/generate-config.mjs init" first`);
      return 2;
    }
    throw err;
  }
  for (const [rel, text] of Object.entries(files)) {
    const path = join(out, rel);
    mkdirSync(dirname(path), { recursive: true });
    // Bind-mounted into containers that run as their own users (Synapse 991, LiveKit), so readable by
    // all; homeserver.yaml and livekit.yaml hold secrets: keep the checkout itself private.
    writeFileSync(path, text, { mode: 0o644 });
    console.log(`wrote ${path}`);
  }
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
