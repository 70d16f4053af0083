import { Injectable } from '@nestjs/common';

/** Resolves when the dependency works (a string result is a line saying what was verified); rejects with why not. */
export type ReadinessCheck = () => Promise<unknown>;
export interface ReadinessReport {
  ready: boolean;
  /** `ok`, or why the check failed. */
  checks: Record<string, string>;
  /** For checks that describe themselves: what a passing check verified (absent when none does). */
  detail?: Record<string, string>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Dependencies (database, Redis, upstream) register a check here; `/ready` answers 503 until all pass.
 * Each check is bounded so a hung dependency makes the service unready instead of hanging the probe.
 */
@Injectable()
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<[string, string, string | undefined]> => {
        try {
          const detail = await withTimeout(check(), CHECK_TIMEOUT_MS);
          return [name, 'ok', typeof detail === 'string' ? detail : undefined];
        } catch (err) {
          return [name, err instanceof Error ? err.message : 'failed', undefined];
        }
      }),
    );
    const report: ReadinessReport = {
      ready: entries.every(([, v]) => v === 'ok'),
      checks: Object.fromEntries(entries.map(([name, v]) => [name, v])),
    };
    const detail = entries.filter(([, , d]) => d !== undefined).map(([name, , d]) => [name, d]);
    if (detail.length > 0) report.detail = Object.fromEntries(detail) as Record<string, string>;
    return report;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
