import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { resolve } from 'node:path';
import { fuzzBody, type BodyExample } from './fuzz-bodies';

/**
 * The security tier's driver: posts `bodies` seeded bodies at one endpoint over keep-alive HTTP with
 * `concurrency` requests in flight, and checks every answer. Body `index` is always
 * `fuzzBody(seed, index, …)` whichever request slot sends it, so a failure names the seed and index; run
 * the tier with FUZZ_SEED=<seed> FUZZ_INDEX=<index> to send that one body again.
 *
 * It speaks node:http rather than fetch: the client shares the test's one thread with the app under test,
 * and a CPU profile of the auth tier put a quarter of that thread in fetch (undici's web streams, Headers,
 * an AbortSignal timer per request) and the body generator.
 */
export interface FuzzTarget {
  /** `METHOD /pattern` as the app registered it: the key of the coverage check. */
  route: string;
  method: string;
  url: string;
  headers?: Readonly<Record<string, string>>;
  /** Headers computed from each body (a webhook's signature over its exact bytes). */
  sign?: (body: Uint8Array) => Promise<Record<string, string>>;
  example: BodyExample;
  /** The app's body limit: some bodies go past it on purpose. */
  bodyLimit: number;
  /**
   * A 5xx that is the documented answer when a dependency the test leaves out is unreachable (the auth
   * service without Synapse): counted as `dependencyDown`, not as a failure. Anything else 5xx fails.
   */
  dependencyDown?: (answer: FuzzAnswer) => boolean;
  /** Null when the answer has the endpoint's documented error (or success) shape, else what is wrong. */
  shape: (answer: FuzzAnswer) => string | null;
}

export interface FuzzAnswer {
  status: number;
  contentType: string;
  text: string;
}

export interface FuzzOptions {
  seed: number;
  bodies: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** An answer slower than this is a hang. */
  deadlineMs: number;
  /** Strings that must never appear in an answer (body or headers). */
  secrets: readonly string[];
}

export interface FuzzResult {
  route: string;
  bodies: number;
  statuses: Record<string, number>;
  mutations: Record<string, number>;
  failures: number;
  /** 5xx answers that were `dependencyDown`'s documented outage. */
  dependencyDown: number;
  /** The first few failures, each with its seed and index. */
  examples: string[];
  seconds: number;
  /**
   * CPU seconds this process spent meanwhile, the app under test included (it runs in-process): unlike
   * `seconds`, it barely moves with the machine's load, so it is what the tier's budget is sized by.
   */
  cpuSeconds: number;
  slowestMs: number;
}

const env = (name: string): string | undefined => process.env[name]?.trim() || undefined;

/** The tier's seed: FUZZ_SEED (decimal or 0x hex) to replay a run, else the tier's fixed default. */
export function fuzzSeed(fallback: number): number {
  const given = env('FUZZ_SEED');
  return given === undefined ? fallback : Number(given) >>> 0;
}

/** Bodies per endpoint: FUZZ_BODIES, else 10,000. */
export function fuzzBodyCount(): number {
  return Number(env('FUZZ_BODIES') ?? 10_000);
}

/** FUZZ_INDEX: send only this body of each endpoint's sequence (a failure's replay). */
function onlyIndex(): number | undefined {
  const given = env('FUZZ_INDEX');
  return given === undefined ? undefined : Number(given);
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every header name and value, one a line: where the secret check looks besides the body. */
  rawHeaders: string;
  text: string;
}

const headerText = (value: string | string[] | undefined): string => [value ?? ''].flat().join(', ');

/**
 * One request, its whole answer read. `deadlineMs` runs from the first byte sent to the last byte read
 * (a slow trickle is a hang too); past it the request is torn down and the body counts as unanswered.
 */
function send(
  agent: Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array,
  deadlineMs: number,
): Promise<Answer> {
  return new Promise((done, failed) => {
    const req = request(url, {
      agent,
      method,
      headers: { ...headers, 'content-length': String(body.byteLength) },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      failed(error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => {
        clearTimeout(timer);
        failed(error);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const raw = res.rawHeaders;
        let rawHeaders = '';
        for (let i = 0; i + 1 < raw.length; i += 2) rawHeaders += `${raw[i]}: ${raw[i + 1]}\n`;
        done({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.end(body);
  });
}

export async function fuzzEndpoint(target: FuzzTarget, options: FuzzOptions): Promise<FuzzResult> {
  const only = onlyIndex();
  const indices = only === undefined ? Array.from({ length: options.bodies }, (_, i) => i) : [only];
  const result: FuzzResult = {
    route: target.route,
    bodies: 0,
    statuses: {},
    mutations: {},
    failures: 0,
    dependencyDown: 0,
    examples: [],
    seconds: 0,
    cpuSeconds: 0,
    slowestMs: 0,
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  const fail = (index: number, mutation: string, problem: string) => {
    result.failures += 1;
    if (result.examples.length < 10)
      result.examples.push(
        `${target.route} seed=0x${options.seed.toString(16)} index=${index} (${mutation}): ${problem}`,
      );
  };
  let cursor = 0;
  const worker = async () => {
    for (let i = cursor++; i < indices.length; i = cursor++) {
      const index = indices[i]!;
      const body = fuzzBody(options.seed, index, target.example, target.bodyLimit);
      count(result.mutations, body.mutation);
      result.bodies += 1;
      const t0 = performance.now();
      try {
        const res = await send(
          agent,
          target.url,
          target.method,
          {
            accept: '*/*',
            ...target.headers,
            ...(await target.sign?.(body.body)),
            ...(body.contentType === undefined ? {} : { 'content-type': body.contentType }),
          },
          body.body,
          options.deadlineMs,
        );
        const { text } = res;
        const ms = performance.now() - t0;
        result.slowestMs = Math.max(result.slowestMs, Math.round(ms));
        count(result.statuses, String(res.status));
        const contentType = headerText(res.headers['content-type']);
        const preview = `${text.slice(0, 200)}${text.length > 200 ? '…' : ''}`;
        const answer = { status: res.status, contentType, text };
        if (res.status >= 500) {
          if (target.dependencyDown?.(answer) === true) result.dependencyDown += 1;
          else fail(index, body.mutation, `status ${res.status}: ${preview}`);
        }
        const wrong = target.shape(answer);
        if (wrong !== null) fail(index, body.mutation, `${wrong} (status ${res.status}: ${preview})`);
        const leaked = options.secrets.find((s) => text.includes(s) || res.rawHeaders.includes(s));
        if (leaked !== undefined)
          fail(index, body.mutation, `answer contains the secret ${leaked.slice(0, 4)}…`);
      } catch (error) {
        count(result.statuses, 'no answer');
        fail(index, body.mutation, error instanceof Error ? error.message : String(error));
      }
    }
  };
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  result.seconds = Math.round((performance.now() - started) / 100) / 10;
  const used = process.cpuUsage(cpu);
  result.cpuSeconds = Math.round((used.user + used.system) / 100_000) / 10;
  return result;
}

/**
 * Reads an app's log as it is written, checking each line once: no line may hold a secret, and the first
 * error-level lines (one per distinct message) are kept for the summary. Fed after each endpoint with the
 * text logged since, so the tier holds one endpoint's log at a time: at 10,000 bodies per endpoint the
 * auth service's debug log outgrows what one string can hold (V8 caps strings at 2^29 characters).
 * A line still being written waits for the next `write`.
 */
export class LogScanner {
  /** Where each secret was found (line number and the secret's first characters, never all of it). */
  readonly leaks: string[] = [];
  /** Lines read so far. */
  lines = 0;
  /** Characters read so far. */
  chars = 0;
  private readonly errors = new Map<string, string>();
  private partial = '';

  constructor(
    private readonly secrets: readonly string[],
    private readonly errorLimit = 20,
  ) {}

  /** The log's next text, in order; lines may be split across calls anywhere. */
  write(text: string): void {
    this.chars += text.length;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.partial += text;
      return;
    }
    const lines = `${this.partial}${text.slice(0, end)}`.split('\n');
    this.partial = text.slice(end + 1);
    for (const line of lines) this.check(line);
  }

  /** The log is complete: reads its last line, if it has no newline. */
  end(): void {
    if (this.partial !== '') this.check(this.partial);
    this.partial = '';
  }

  /** The error-level lines, as `errorLogLines` gives them. */
  get errorLines(): string[] {
    return [...this.errors.values()];
  }

  private check(line: string): void {
    this.lines += 1;
    const secret = this.secrets.find((s) => line.includes(s));
    if (secret !== undefined && this.leaks.length < 10)
      this.leaks.push(`log line ${this.lines} contains ${secret.slice(0, 4)}…`);
    // Cheap test first: most lines are info or debug.
    if (this.errors.size >= this.errorLimit || !/"level":"(error|fatal)"/.test(line)) return;
    const [found] = errorLogLines(line, 1);
    if (found === undefined) return;
    const key = errorKey(line);
    if (!this.errors.has(key)) this.errors.set(key, found);
  }
}

/** What makes two error lines the same: their message and their error's message. */
function errorKey(line: string): string {
  const entry = JSON.parse(line) as { msg?: unknown; err?: { message?: unknown } };
  return `${String(entry.msg)} ${String(entry.err?.message).slice(0, 120)}`;
}

/**
 * The services' error-level log lines (`level` as a label), one per distinct message: the causes behind
 * the 5xx answers, for the summary.
 */
export function errorLogLines(logs: string, limit = 20): string[] {
  const found = new Map<string, string>();
  for (const line of logs.split('\n')) {
    if (found.size >= limit) break;
    try {
      const entry = JSON.parse(line) as { level?: unknown };
      if (entry.level !== 'error' && entry.level !== 'fatal') continue;
      const key = errorKey(line);
      if (!found.has(key)) found.set(key, line.slice(0, 2_000));
    } catch {
      // Not a JSON line.
    }
  }
  return [...found.values()];
}

export interface RegisteredRoute {
  method: string;
  url: string;
}

/** Methods that carry no body: their routes are outside a body fuzzer by definition. */
export const BODYLESS_METHODS = ['GET', 'HEAD', 'OPTIONS', 'DELETE'];

/**
 * Every registered route must be fuzzed or excluded with a reason, and every exclusion must still
 * name a route, so a new endpoint cannot slip past the tier and a stale reason cannot linger.
 */
export function uncoveredRoutes(
  routes: readonly RegisteredRoute[],
  fuzzed: readonly string[],
  excluded: Readonly<Record<string, string>>,
): string[] {
  const problems: string[] = [];
  const keys = new Set(routes.map((r) => `${r.method} ${r.url}`));
  for (const key of keys) {
    const method = key.split(' ')[0]!;
    if (BODYLESS_METHODS.includes(method) || fuzzed.includes(key) || key in excluded) continue;
    problems.push(`${key} is neither fuzzed nor excluded with a reason`);
  }
  for (const key of [...fuzzed, ...Object.keys(excluded)])
    if (!keys.has(key)) problems.push(`${key} is fuzzed or excluded but no such route is registered`);
  return problems;
}

/** Writes the tier's summary for one app (tmp/security/<app>.json), which the auth README quotes. */
export function writeFuzzSummary(app: string, summary: Record<string, unknown>): string {
  const dir = resolve(process.cwd(), 'tmp/security');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `${app}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}
