/** What a test asks of its Synapse. */
export interface SynapseOptions {
  /**
   * `plain`: Synapse's own password auth. `delegated`: all auth delegated to an OAuth service (MAS API).
   * `raw`: `rawConfig`, a complete homeserver.yaml such as an operator's, used as it is except where the
   * bed must decide: its listener, public_baseurl and the paths of its files (under the run directory).
   */
  mode: 'plain' | 'delegated' | 'raw';
  /** `raw` mode: the homeserver.yaml text. Give `serverName` too when it is not `localhost`. */
  rawConfig?: string;
  serverName?: string;
  /** Delegated mode: the auth service's base URL as Synapse sees it, and the shared secret. */
  authService?: { endpoint: string; secret: string };
  /** `matrix_rtc.transports`: each entry is a LiveKit JWT service URL advertised to clients (MSC4143). */
  rtcServiceUrls?: string[];
  /** MSC4502 `is_joined` (`experimental_features.msc4502_enabled`). */
  msc4502?: boolean;
  /**
   * MSC4306 thread subscriptions and MSC4308's sliding sync extension and companion endpoint
   * (`experimental_features.msc4306_enabled`).
   */
  msc4306?: boolean;
  /**
   * Application-service registrations (YAML text), written into the run and listed in
   * `app_service_config_files`.
   */
  appServiceRegistrations?: string[];
  /**
   * Real federation on loopback with other test-bed Synapses started with it: a second listener with
   * TLS (a self-signed certificate made for the run) serving federation and keys, the server name
   * `127.0.0.1:<its port>` (reachable by any Synapse without DNS, `.well-known` or SRV), other servers'
   * certificates not verified (`federation_verify_certificates: false`) and loopback allowed as a
   * federation destination (`federation_ip_range_blacklist: []`). Not with `serverName` (the name is the listener's) or `raw` mode.
   */
  federation?: boolean;
  /** Extra top-level homeserver.yaml keys, merged last. */
  extra?: Record<string, unknown>;
  /**
   * Start from a saved homeserver instead of an empty one: a directory on this machine holding the
   * `homeserver.db` and `signing.key` a stopped run left (see `Synapse.save`). Copied into the run, so
   * the saved copy is never written to. SQLite only; not with `federation` (its name is a fresh port).
   */
  restoreFrom?: string;
}

export const REGISTRATION_SECRET = 'test-bed-registration-secret';

const GENEROUS = { per_second: 1000, burst_count: 1000 };

/**
 * homeserver.yaml for one run, as JSON (which YAML parsers accept). Paths are inside the chroot.
 * Rate limits are lifted so tests measure behaviour, not Synapse's throttling.
 */
export function homeserverConfig(
  options: SynapseOptions,
  port: number,
  dir: string,
  /** With `options.federation`: the TLS federation listener's port, which names the server. */
  federationPort?: number,
): Record<string, unknown> {
  const serverName = synapseServerName(options, federationPort);
  const run: Record<string, unknown> = {
    public_baseurl: `http://127.0.0.1:${port}/`,
    pid_file: `${dir}/homeserver.pid`,
    listeners: [
      {
        port,
        bind_addresses: ['127.0.0.1'],
        type: 'http',
        tls: false,
        x_forwarded: false,
        resources: [{ names: ['client', 'federation'], compress: false }],
      },
    ],
    log_config: `${dir}/log.config`,
    media_store_path: `${dir}/media_store`,
    signing_key_path: `${dir}/signing.key`,
  };
  if (options.federation === true) {
    (run['listeners'] as unknown[]).push({
      port: federationPort,
      bind_addresses: ['127.0.0.1'],
      type: 'http',
      tls: true,
      x_forwarded: false,
      // `federation` also serves `/_matrix/key/v2/server`, which the other side fetches to verify events.
      resources: [{ names: ['federation'], compress: false }],
    });
    Object.assign(run, {
      tls_certificate_path: `${dir}/${FEDERATION_TLS.cert}`,
      tls_private_key_path: `${dir}/${FEDERATION_TLS.key}`,
      // Each run's certificate is self-signed, so no Synapse of the bed could verify another's.
      federation_verify_certificates: false,
      // Synapse refuses loopback destinations by default (DEFAULT_IP_RANGE_BLOCKLIST). ip_range_whitelist
      // does not help: the federation client also refuses IP-literal server names in the block-list
      // without consulting any allow-list (BlocklistingAgentWrapper in synapse/http/matrixfederationclient.py).
      // This key replaces the block-list for federation only; Synapse still adds 0.0.0.0 and ::.
      federation_ip_range_blacklist: [],
    });
  }
  // Synapse merges its -c files key by key, the later winning: these keys override the raw file's.
  if (options.mode === 'raw') return { ...run, ...options.extra };
  const base: Record<string, unknown> = {
    server_name: serverName,
    ...run,
    database: { name: 'sqlite3', args: { database: `${dir}/homeserver.db` } },
    report_stats: false,
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    rc_message: GENEROUS,
    rc_registration: GENEROUS,
    rc_login: { address: GENEROUS, account: GENEROUS, failed_attempts: GENEROUS },
    rc_joins: { local: GENEROUS, remote: GENEROUS },
    rc_invites: { per_room: GENEROUS, per_user: GENEROUS, per_issuer: GENEROUS },
    rc_delayed_event_mgmt: GENEROUS,
    rc_room_creation: GENEROUS,
    experimental_features: {
      msc4143_enabled: true,
      ...(options.msc4502 === true ? { msc4502_enabled: true } : {}),
      ...(options.msc4306 === true ? { msc4306_enabled: true } : {}),
    },
    // MSC4140 delayed events, which MatrixRTC's delayed leave uses.
    max_event_delay_duration: '24h',
  };
  if (options.mode === 'plain') {
    Object.assign(base, {
      enable_registration: true,
      enable_registration_without_verification: true,
      registration_shared_secret: REGISTRATION_SECRET,
    });
  } else {
    if (!options.authService) throw new Error('delegated mode needs authService { endpoint, secret }');
    Object.assign(base, {
      // Synapse refuses to start in this mode unless both are off.
      enable_registration: false,
      password_config: { enabled: false },
      matrix_authentication_service: {
        enabled: true,
        endpoint: options.authService.endpoint,
        secret: options.authService.secret,
      },
    });
  }
  const registrations = options.appServiceRegistrations ?? [];
  if (registrations.length > 0) {
    base['app_service_config_files'] = registrations.map((_, i) => appServiceFile(dir, i));
  }
  if (options.rtcServiceUrls && options.rtcServiceUrls.length > 0) {
    base['matrix_rtc'] = {
      transports: options.rtcServiceUrls.map((url) => ({ type: 'livekit', livekit_service_url: url })),
    };
  }
  return { ...base, ...options.extra };
}

/** The TLS certificate and key of a federation listener, in the run directory. */
export const FEDERATION_TLS = { cert: 'federation-tls.crt', key: 'federation-tls.key' } as const;

/** `127.0.0.1:<federation port>` with federation, else `serverName` (default `localhost`). */
export function synapseServerName(options: SynapseOptions, federationPort?: number): string {
  if (options.federation !== true) return options.serverName ?? 'localhost';
  if (options.serverName !== undefined)
    throw new Error('federation names the server: do not give serverName');
  if (options.mode === 'raw') throw new Error('federation is not available in raw mode');
  if (federationPort === undefined) throw new Error('federation needs the federation listener port');
  return `127.0.0.1:${String(federationPort)}`;
}

/** Where the i-th application-service registration of a run is written. */
export function appServiceFile(dir: string, index: number): string {
  return `${dir}/appservice-${String(index)}.yaml`;
}

export function logConfig(dir: string): string {
  return [
    'version: 1',
    'formatters:',
    '  precise:',
    "    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'",
    'handlers:',
    '  file:',
    '    class: logging.FileHandler',
    '    formatter: precise',
    `    filename: ${dir}/homeserver.log`,
    '    filters: [context]',
    'filters:',
    '  context:',
    '    (): synapse.logging.context.LoggingContextFilter',
    '    request: ""',
    'root:',
    '  level: INFO',
    '  handlers: [file]',
    'disable_existing_loggers: false',
    '',
  ].join('\n');
}
