import { expect } from 'vitest';
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
  expect(
    uncoveredRoutes(
      tier.routes,
      targets.map((t) => t.route),
      tier.excluded,
    ),
  ).toEqual([]);

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
  expect(results.flatMap((r) => r.examples)).toEqual([]);
  expect(logLeaks).toEqual([]);
  return results;
}
