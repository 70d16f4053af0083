import pino from 'pino';
import { AuthStore } from '@gateway/auth-data';
import type { DataSource } from '@gateway/db';
import type { Log, LogFields } from '@gateway/server';
import type { CliCommand, CliContext } from '@gateway/util';
import type { AuthConfig } from '../config';
import { readSynapseConfig } from './delegation-check';
import { openPostgresSource } from './postgres-source';
import { openSqliteSource } from './sqlite-source';
import { describeReport, importFromSynapse, ImportRefused } from './synapse-import';
import type { SynapseSource } from './synapse-source';

type Ctx = CliContext<AuthConfig, DataSource>;

const DEFAULT_BATCH = 5_000;

/** A PostgreSQL URL, or the path of Synapse's SQLite file (optionally as `sqlite:<path>`). */
function openSource(location: string): Promise<SynapseSource> {
  if (/^postgres(ql)?:\/\//.test(location)) return openPostgresSource(location);
  return openSqliteSource(location.replace(/^sqlite:(\/\/)?/, ''));
}

// JSON log lines on stderr, beside the readable report on stdout. Built over pino directly: the
// shared JSON logger lives in libs/server, whose Nest imports the CLI keeps out of its start-up.
function jsonLog(logger: pino.Logger): Log {
  return {
    trace: (f: LogFields, m: string) => {
      logger.trace(f, m);
    },
    debug: (f: LogFields, m: string) => {
      logger.debug(f, m);
    },
    info: (f: LogFields, m: string) => {
      logger.info(f, m);
    },
    warn: (f: LogFields, m: string) => {
      logger.warn(f, m);
    },
    error: (f: LogFields, m: string) => {
      logger.error(f, m);
    },
    child: (bindings: LogFields) => jsonLog(logger.child(bindings)),
  };
}

async function run(ctx: Ctx): Promise<number> {
  const { config, out, err } = ctx;
  const v = ctx.args.values;
  const configPath = v['synapse-config'];
  const databaseUrl = v['synapse-database-url'];
  if (typeof configPath !== 'string' || typeof databaseUrl !== 'string') return ctx.usage();
  const dryRun = v['dry-run'] === true;
  const batchSize = Number(v['batch-size'] ?? DEFAULT_BATCH);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    err('--batch-size must be a positive integer');
    return 2;
  }
  const crashAfter = v['crash-after-batches'] === undefined ? undefined : Number(v['crash-after-batches']);

  const facts = readSynapseConfig(configPath);
  if (facts.serverName !== null && facts.serverName !== config.homeserver) {
    err(`refusing: ${configPath} is for ${facts.serverName}, this service for ${config.homeserver}`);
    return 1;
  }
  if (facts.pepper) {
    err('refusing: password_config.pepper is set; its hashes cannot be verified without it');
    return 1;
  }
  // A dry run is for before the cut-over; the import itself only once Synapse has stopped issuing
  // tokens of its own, or tokens issued after the import would be lost.
  if (!dryRun && !facts.delegated) {
    err(
      `refusing: ${configPath} does not delegate auth (matrix_authentication_service.enabled); ` +
        'switch it, stop Synapse, then import (or use --dry-run)',
    );
    return 1;
  }

  const log = jsonLog(pino({ base: { command: 'import-synapse' } }, pino.destination(2)));
  const source = await openSource(databaseUrl);
  try {
    const report = await ctx.withDatabase((dataSource) =>
      importFromSynapse(source, new AuthStore(dataSource).synapseImport, {
        homeserver: config.homeserver,
        dryRun,
        batchSize,
        allowPopulatedTarget: v['allow-existing-users'] === true,
        now: () => new Date(),
        log,
        out,
        progress: (label, total) => ctx.progress(label, total),
        ...(crashAfter === undefined
          ? {}
          : {
              afterBatch: (n: number) => {
                // The crash an operator's kill -9 would be: no cleanup, no flush.
                if (n >= crashAfter) process.kill(process.pid, 'SIGKILL');
              },
            }),
      }),
    );
    for (const line of describeReport(report)) out(line);
    return 0;
  } catch (e) {
    if (e instanceof ImportRefused) {
      err(`refusing: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await source.close();
  }
}

/** `import-synapse`: MAS's syn2mas, see the auth README's migration runbook. */
export const importSynapseCommand: CliCommand<AuthConfig, DataSource> = {
  name: 'import-synapse',
  args: '--synapse-config <homeserver.yaml> --synapse-database-url <postgres URL | SQLite file> [--dry-run] [--allow-existing-users] [--batch-size <n>]',
  summary: "import Synapse's users, passwords, emails, devices and tokens",
  options: {
    'synapse-config': { type: 'string' },
    'synapse-database-url': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'allow-existing-users': { type: 'boolean', default: false },
    'batch-size': { type: 'string' },
    // For the crash-and-resume test: the process kills itself after that many committed batches.
    'crash-after-batches': { type: 'string' },
  },
  run,
};
