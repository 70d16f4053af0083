import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../free-port';
import { synapseChroot } from './chroot';
import {
  appServiceFile,
  FEDERATION_TLS,
  homeserverConfig,
  logConfig,
  REGISTRATION_SECRET,
  synapseServerName,
  type SynapseOptions,
} from './homeserver-config';
import { synapseSigningKey } from './signing-key';

export interface RegisteredUser {
  userId: string;
  accessToken: string;
  deviceId: string;
  password: string;
}

export interface Synapse {
  /** `http://127.0.0.1:<port>`, the client and federation base URL. */
  baseUrl: string;
  port: number;
  /** `localhost`, `options.serverName`, or with `federation`, `127.0.0.1:<federationPort>`. */
  serverName: string;
  /** With `federation`: the TLS listener other homeservers reach it at (self-signed certificate). */
  federationPort?: number;
  /** Plain mode: registers a user through the shared-secret admin API. */
  registerUser(localpart: string, options?: { admin?: boolean; password?: string }): Promise<RegisteredUser>;
  /** The last lines of homeserver.log, for failure messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
  /**
   * Stops and starts the same homeserver (same data, port and keys), as an operator's restart does.
   * With `options`, it comes back configured by them (say, `plain` then `delegated`: the cut-over to an
   * auth service); `whileStopped` runs between the stop and the start, as an offline migration does.
   */
  restart(options?: SynapseOptions, whileStopped?: () => Promise<void>): Promise<void>;
  /** Where the run's homeserver.yaml is, on this machine (outside the chroot). */
  configPath: string;
  /** Where the run's SQLite database is, on this machine (when the options leave it as SQLite). */
  sqlitePath: string;
  /**
   * Stops Synapse, copies its database and signing key into `dir` (made if missing), and starts it
   * again: a later `startSynapse({ restoreFrom: dir })` begins where this one is now. SQLite only.
   */
  save(dir: string): Promise<void>;
}

/** What `Synapse.save` writes and `restoreFrom` reads; SQLite's write-ahead log too, when one is left. */
const SAVED_FILES = ['homeserver.db', 'signing.key'] as const;
const SAVED_IF_PRESENT = ['homeserver.db-wal'] as const;

function copySaved(from: string, to: string): void {
  for (const file of SAVED_FILES) copyFileSync(join(from, file), join(to, file));
  for (const file of SAVED_IF_PRESENT) {
    if (existsSync(join(from, file))) copyFileSync(join(from, file), join(to, file));
  }
}

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Starts a fresh Synapse for one test file: its own config, data directory, signing key and loopback
 * port. The process runs under a small shell watchdog that stops Synapse if the test process dies,
 * so a crashed test run leaves no orphan behind.
 */
export async function startSynapse(options: SynapseOptions): Promise<Synapse> {
  const root = await synapseChroot();
  const port = await freePort();
  const federationPort = options.federation === true ? await freePort() : undefined;
  const serverName = synapseServerName(options, federationPort);
  const runId = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const dir = `/srv/runs/${runId}`;
  const hostDir = `${root}${dir}`;
  mkdirSync(`${hostDir}/media_store`, { recursive: true });
  const config = homeserverConfig(options, port, dir, federationPort);
  writeFileSync(`${hostDir}/homeserver.yaml`, JSON.stringify(config, null, 2));
  if (federationPort !== undefined) selfSignedCertificate(root, dir);
  // Raw mode: the given file first, the bed's run settings second (Synapse merges -c files in order).
  let configArgs = '-c "$DIR/homeserver.yaml"';
  if (options.mode === 'raw') {
    if (options.rawConfig === undefined) throw new Error('raw mode needs rawConfig');
    writeFileSync(`${hostDir}/raw.yaml`, options.rawConfig);
    configArgs = '-c "$DIR/raw.yaml" -c "$DIR/homeserver.yaml"';
  }
  writeFileSync(`${hostDir}/log.config`, logConfig(dir));
  if (options.restoreFrom === undefined) {
    writeFileSync(`${hostDir}/signing.key`, synapseSigningKey());
  } else {
    if (options.federation === true) throw new Error('restoreFrom cannot be used with federation');
    copySaved(options.restoreFrom, hostDir);
  }
  (options.appServiceRegistrations ?? []).forEach((registration, i) => {
    writeFileSync(`${root}${appServiceFile(dir, i)}`, registration);
  });

  const script = [
    `chroot "$ROOT" python3 -m synapse.app.homeserver ${configArgs} >"$ROOT$DIR/stdout.log" 2>&1 &`,
    'child=$!',
    "trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT",
    'while kill -0 "$PARENT" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done',
    'kill -TERM $child 2>/dev/null; wait $child',
  ].join('\n');
  const launch = (): ChildProcess =>
    spawn('bash', ['-c', script], {
      env: {
        ...process.env,
        ROOT: root,
        DIR: dir,
        PARENT: String(process.pid),
        no_proxy: '127.0.0.1,localhost',
        NO_PROXY: '127.0.0.1,localhost',
      },
      stdio: 'ignore',
    });
  let child = launch();
  const baseUrl = `http://127.0.0.1:${port}`;
  const logTail = (lines = 30): string =>
    tail(`${hostDir}/homeserver.log`, lines) + tail(`${hostDir}/stdout.log`, lines);
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(hostDir, { recursive: true, force: true });
  };

  try {
    await waitForVersions(baseUrl, child);
  } catch (err) {
    const detail = logTail(40);
    await stop();
    throw new Error(`${(err as Error).message}\n--- Synapse log ---\n${detail}`);
  }
  return {
    baseUrl,
    port,
    serverName,
    ...(federationPort === undefined ? {} : { federationPort }),
    logTail,
    stop,
    configPath: `${hostDir}/homeserver.yaml`,
    sqlitePath: `${hostDir}/homeserver.db`,
    save: async (to) => {
      await stopChild(child);
      rmSync(to, { recursive: true, force: true });
      mkdirSync(to, { recursive: true });
      copySaved(hostDir, to);
      child = launch();
      await waitForVersions(baseUrl, child);
    },
    restart: async (next, whileStopped) => {
      await stopChild(child);
      if (next !== undefined) {
        if (next.mode === 'raw') throw new Error('restart cannot switch to raw mode');
        writeFileSync(
          `${hostDir}/homeserver.yaml`,
          JSON.stringify(homeserverConfig(next, port, dir, federationPort), null, 2),
        );
      }
      await whileStopped?.();
      child = launch();
      await waitForVersions(baseUrl, child);
    },
    registerUser: (localpart, opts = {}) =>
      registerUser(
        baseUrl,
        localpart,
        opts.password ?? `pw-${randomBytes(6).toString('hex')}`,
        opts.admin ?? false,
      ),
  };
}

/**
 * The federation listener's certificate and key, made inside the chroot with the `cryptography`
 * package Synapse itself depends on (so the bed needs no openssl of the machine's): ECDSA P-256,
 * `127.0.0.1` as subject and IP SAN, valid two days.
 */
function selfSignedCertificate(root: string, dir: string): void {
  const script = [
    'import datetime, ipaddress, sys',
    'from cryptography import x509',
    'from cryptography.x509.oid import NameOID',
    'from cryptography.hazmat.primitives import hashes, serialization',
    'from cryptography.hazmat.primitives.asymmetric import ec',
    'key = ec.generate_private_key(ec.SECP256R1())',
    "name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])",
    'now = datetime.datetime.now(datetime.timezone.utc)',
    'cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())',
    '  .serial_number(x509.random_serial_number())',
    '  .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))',
    "  .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), critical=False)",
    '  .sign(key, hashes.SHA256()))',
    'open(sys.argv[1], "wb").write(cert.public_bytes(serialization.Encoding.PEM))',
    'open(sys.argv[2], "wb").write(key.private_bytes(serialization.Encoding.PEM,',
    '  serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))',
  ].join('\n');
  execFileSync(
    'chroot',
    [root, 'python3', '-c', script, `${dir}/${FEDERATION_TLS.cert}`, `${dir}/${FEDERATION_TLS.key}`],
    { stdio: 'pipe' },
  );
}

async function waitForVersions(baseUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`Synapse exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${baseUrl}/_matrix/client/versions`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Synapse did not answer /_matrix/client/versions within ${READY_TIMEOUT_MS} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function registerUser(
  baseUrl: string,
  localpart: string,
  password: string,
  admin: boolean,
): Promise<RegisteredUser> {
  const url = `${baseUrl}/_synapse/admin/v1/register`;
  const { nonce } = (await (await fetch(url)).json()) as { nonce: string };
  const mac = createHmac('sha1', REGISTRATION_SECRET)
    .update(`${nonce}\0${localpart}\0${password}\0${admin ? 'admin' : 'notadmin'}`)
    .digest('hex');
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ nonce, username: localpart, password, admin, mac }),
  });
  const body = (await res.json()) as { user_id?: string; access_token?: string; device_id?: string };
  if (
    !res.ok ||
    body.user_id === undefined ||
    body.access_token === undefined ||
    body.device_id === undefined
  ) {
    throw new Error(`registering ${localpart} failed: ${res.status} ${JSON.stringify(body)}`);
  }
  return { userId: body.user_id, accessToken: body.access_token, deviceId: body.device_id, password };
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
