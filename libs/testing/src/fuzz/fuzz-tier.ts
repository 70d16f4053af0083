import {
  fuzzBodyCount,
  fuzzEndpoint,
  LogScanner,
  uncoveredRoutes,
  writeFuzzSummary,
  type FuzzResult,
  type FuzzTarget,
  type RegisteredRoute,
} from './fuzz-endpoint';

export interface FuzzTierOptions {
  /** Every route the app registered: each must be a target or excluded with a reason. */
  routes: readonly RegisteredRoute[];
  /** Routes not fuzzed, `METHOD /pattern` → why. */
  excluded: Readonly<Record<string, string>>;
  seed: number;
  /** Strings that must appear in no answer and no log line. */
  secrets: readonly string[];
  /** The app's log text written since the last call. */
  takeLogs: () => string;
}

/**
 * Fails the calling test with `what` and the first items when there are any. Not vitest's `expect`:
 * this package is also bundled into `npm start` and the benchmarks, where vitest cannot be loaded.
 */
function noneOf(what: string, items: readonly unknown[]): void {
  if (items.length === 0) return;
  throw new Error(`${what} (${String(items.length)}):\n${JSON.stringify(items.slice(0, 20), null, 2)}`);
}

/**
 * One app's security tier: checks that `targets` cover its routes, fuzzes each target with
 * FUZZ_BODIES bodies, scans the app's log as it grows, writes tmp/security/<app>.json, and fails on any
 * bad answer or any secret in the log. Returns the results for the spec's own checks of what the
 * bodies reached.
 */
export async function runFuzzTier(
  app: string,
  targets: readonly FuzzTarget[],
  tier: FuzzTierOptions,
): Promise<FuzzResult[]> {
  noneOf(
    'routes neither fuzzed nor excluded with a reason, or reasons left for routes that are gone',
    uncoveredRoutes(
      tier.routes,
      targets.map((t) => t.route),
      tier.excluded,
    ),
  );

  const options = {
    seed: tier.seed,
    bodies: fuzzBodyCount(),
    concurrency: 16,
    deadlineMs: 10_000,
    secrets: tier.secrets,
  };
  const started = Date.now();
  const results: FuzzResult[] = [];
  // The log is read in parts as it grows, each line once, so the tier never holds all of it.
  const scanner = new LogScanner(tier.secrets);
  for (const target of targets) {
    results.push(await fuzzEndpoint(target, options));
    scanner.write(tier.takeLogs());
  }
  scanner.write(tier.takeLogs());
  scanner.end();
  const logLeaks = scanner.leaks;
  writeFuzzSummary(app, {
    seed: `0x${tier.seed.toString(16)}`,
    endpoints: results.length,
    bodiesPerEndpoint: options.bodies,
    totalBodies: results.reduce((n, r) => n + r.bodies, 0),
    seconds: Math.round((Date.now() - started) / 1000),
    logLeaks,
    logLines: scanner.lines,
    logChars: scanner.chars,
    errorLogs: scanner.errorLines,
    excluded: tier.excluded,
    results,
  });
  noneOf(
    'bad answers (a 5xx, past the deadline, the wrong shape, or a secret)',
    results.flatMap((r) => r.examples),
  );
  noneOf('secrets in log lines', logLeaks);
  return results;
}
