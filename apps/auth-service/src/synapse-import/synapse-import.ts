import {
  SYNAPSE_IMPORT_KINDS,
  type SynapseImportCheckpoint,
  type SynapseImportKind,
  type SynapseImportRepository,
} from '@gateway/auth-data';
import type { Log } from '@gateway/server';
import type { Progress } from '@gateway/util';
import {
  decideAccessToken,
  decideDevice,
  decideEmail,
  decideRefreshToken,
  decideUpstreamLink,
  decideUser,
  type Decision,
} from './import-rules';
import type { SynapseRows, SynapseSource, SynapseTable } from './synapse-source';

/** One step of the import: a Synapse table, the rule for its rows and where its records go. */
interface Step<T extends SynapseTable, R> {
  kind: SynapseImportKind;
  table: T;
  decide: (row: SynapseRows[T], homeserver: string, now: Date) => Decision<R>;
  write: (repo: SynapseImportRepository, records: R[], lastKey: string, now: Date) => Promise<number>;
  /** How a skipped row is named in the report; never a token value. */
  describe: (row: SynapseRows[T]) => string;
}

const step = <T extends SynapseTable, R>(s: Step<T, R>): Step<T, R> => s;

// Users first: every later step joins on the users it wrote.
const STEPS = [
  step({
    kind: 'users',
    table: 'users',
    decide: decideUser,
    write: (repo, records, key, now) => repo.importUsers(records, key, now),
    describe: (r) => r.name,
  }),
  step({
    kind: 'emails',
    table: 'threepids',
    decide: decideEmail,
    write: (repo, records, key, now) => repo.importEmails(records, key, now),
    describe: (r) => `${r.userId} ${r.medium} ${r.address}`,
  }),
  step({
    kind: 'upstream_links',
    table: 'external_ids',
    decide: (row, homeserver) => decideUpstreamLink(row, homeserver),
    write: (repo, records, key, now) => repo.importUpstreamLinks(records, key, now),
    describe: (r) => `${r.userId} ${r.authProvider}`,
  }),
  step({
    kind: 'devices',
    table: 'devices',
    decide: decideDevice,
    write: (repo, records, key, now) => repo.importDevices(records, key, now),
    describe: (r) => `${r.userId} device ${r.deviceId}`,
  }),
  step({
    kind: 'access_tokens',
    table: 'access_tokens',
    decide: decideAccessToken,
    write: (repo, records, key, now) => repo.importAccessTokens(records, key, now),
    describe: (r) => `access token #${String(r.id)} of ${r.userId} (device ${r.deviceId ?? 'none'})`,
  }),
  step({
    kind: 'refresh_tokens',
    table: 'refresh_tokens',
    decide: decideRefreshToken,
    write: (repo, records, key, now) => repo.importRefreshTokens(records, key, now),
    describe: (r) => `refresh token #${String(r.id)} of ${r.userId} (device ${r.deviceId})`,
  }),
] as const;

export interface KindReport {
  read: number;
  /** Rows the rules accept: written, or (a second run) found already there. */
  accepted: number;
  /** Rows actually written by this run (0 in a dry run). */
  written: number;
  skipped: number;
}

export interface ImportReport {
  dryRun: boolean;
  /** This run continued an interrupted one. */
  resumed: boolean;
  kinds: Record<SynapseImportKind, KindReport>;
}

export interface ImportOptions {
  homeserver: string;
  dryRun: boolean;
  /** Rows per page read and per transaction written. */
  batchSize: number;
  now: () => Date;
  log: Log;
  /** Operator-facing lines (stdout). */
  out: (line: string) => void;
  progress: (label: string, total: number) => Progress;
  /** Called after each batch is committed (the count so far): where tests inject a crash. */
  afterBatch?: (batches: number) => void;
}

/** Why the import will not start, for the operator. */
export class ImportRefused extends Error {}

/**
 * The import itself, over an opened Synapse source and our repository: each table in order, a page at
 * a time, each page's records and checkpoint committed together. A run after a completed one walks
 * everything again and writes nothing new; a run after a killed one starts after its checkpoints.
 */
export async function importFromSynapse(
  source: SynapseSource,
  repo: SynapseImportRepository,
  options: ImportOptions & { allowPopulatedTarget: boolean },
): Promise<ImportReport> {
  const { out, log } = options;
  const kinds = Object.fromEntries(
    SYNAPSE_IMPORT_KINDS.map((k) => [k, { read: 0, accepted: 0, written: 0, skipped: 0 }]),
  ) as Record<SynapseImportKind, KindReport>;
  let checkpoints: Map<SynapseImportKind, SynapseImportCheckpoint> = options.dryRun
    ? new Map<SynapseImportKind, SynapseImportCheckpoint>()
    : await repo.checkpoints();
  const finishedAll = SYNAPSE_IMPORT_KINDS.every((k) => checkpoints.get(k)?.finishedAt != null);
  if (!options.dryRun && finishedAll) {
    out('a previous import finished: checking Synapse again for anything not yet imported');
    await repo.resetCheckpoints();
    checkpoints = new Map<SynapseImportKind, SynapseImportCheckpoint>();
  } else if (
    !options.dryRun &&
    checkpoints.size === 0 &&
    !options.allowPopulatedTarget &&
    (await repo.hasUsers())
  ) {
    throw new ImportRefused(
      'the target already has users that no import wrote; pass --allow-existing-users to import alongside them',
    );
  }
  const resumed = !options.dryRun && !finishedAll && checkpoints.size > 0;
  if (resumed) out('resuming an interrupted import from its checkpoints');
  log.info({ engine: source.engine, dryRun: options.dryRun, resumed }, 'import from Synapse started');

  let batches = 0;
  for (const s of STEPS as readonly Step<SynapseTable, unknown>[]) {
    const checkpoint = checkpoints.get(s.kind);
    if (checkpoint?.finishedAt != null) {
      out(`${s.kind}: done by the interrupted run`);
      continue;
    }
    const report = kinds[s.kind];
    const progress = options.progress(s.kind, await source.count(s.table));
    // Where the time goes, in the step's log line: reading Synapse, or writing here.
    let readMs = 0;
    let writeMs = 0;
    const read = (key: string | null) => source.page(s.table, key, options.batchSize);
    let next = read(checkpoint?.lastKey ?? null);
    for (;;) {
      const readStart = performance.now();
      const page = await next;
      readMs += performance.now() - readStart;
      if (page.rows.length === 0 || page.lastKey === null) break;
      // The next page is read while this one is written: the two databases work at the same time.
      next = read(page.lastKey);
      const now = options.now();
      const records: unknown[] = [];
      for (const row of page.rows) {
        const decision = s.decide(row, options.homeserver, now);
        if (decision.ok) {
          records.push(decision.record);
        } else {
          report.skipped++;
          out(`skip ${s.kind}: ${s.describe(row)}: ${decision.reason}`);
        }
      }
      report.read += page.rows.length;
      report.accepted += records.length;
      if (!options.dryRun) {
        const writeStart = performance.now();
        report.written += await s.write(repo, records, page.lastKey, now);
        writeMs += performance.now() - writeStart;
        options.afterBatch?.(++batches);
      }
      progress.tick(page.rows.length);
    }
    progress.done();
    if (!options.dryRun) await repo.markFinished(s.kind, options.now());
    log.info(
      { kind: s.kind, ...report, readMs: Math.round(readMs), writeMs: Math.round(writeMs) },
      'import step finished',
    );
  }
  return { dryRun: options.dryRun, resumed, kinds };
}

/** The summary lines an operator reads after a run. */
export function describeReport(report: ImportReport): string[] {
  const lines = SYNAPSE_IMPORT_KINDS.map((kind) => {
    const k = report.kinds[kind];
    return report.dryRun
      ? `${kind}: ${String(k.read)} read, ${String(k.accepted)} to import, ${String(k.skipped)} skipped`
      : `${kind}: ${String(k.read)} read, ${String(k.written)} imported, ${String(k.accepted - k.written)} already present, ${String(k.skipped)} skipped`;
  });
  const written = SYNAPSE_IMPORT_KINDS.reduce((n, kind) => n + report.kinds[kind].written, 0);
  if (report.dryRun) lines.push('dry run: nothing was written');
  else if (written === 0) lines.push('nothing changed: everything was already imported');
  else lines.push(`import complete: ${String(written)} rows written`);
  return lines;
}
