import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The process environment, as `@gateway/config`'s loaders take it. */
type Env = Readonly<Record<string, string | undefined>>;

/**
 * The one runner for the apps' operator commands (`node dist/apps/<app>/cli.js <command>`): usage and
 * `--help`, exit codes (0 done, 1 failed, 2 bad command line), the configuration parsed once before any
 * command, a database opened per command and always closed, and progress output for long commands.
 * Here rather than in libs/server so a command starts without loading Nest and Fastify (it doubles the
 * start-up CPU time of `cli.js`).
 */

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where progress goes; a bar is drawn only when it is a TTY. */
  progressStream: NodeJS.WritableStream & { isTTY?: boolean };
  now: () => number;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  progressStream: process.stderr,
  now: () => performance.now(),
};

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CliArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface CliContext<C, D> {
  config: C;
  args: CliArgs;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Prints this command's usage on stderr; returns 2 for `return ctx.usage()`. */
  usage: () => number;
  /** Runs `fn` with a database opened from the configuration and closed afterwards. */
  withDatabase: <T>(fn: (db: D) => Promise<T>) => Promise<T>;
  progress: (label: string, total?: number) => Progress;
}

export interface CliCommand<C, D> {
  /** One or two words: `migrate`, `config check`, `user add`. */
  name: string;
  /** Arguments after the name, for usage: `<localpart> --password <pw> [--admin]`. */
  args?: string;
  summary: string;
  options?: Options;
  /** The exit code. Throwing prints the message and exits 1. */
  run: (ctx: CliContext<C, D>) => Promise<number> | number;
}

export interface CliDefinition<C, D = never> {
  /** The app's name, prefixed to fatal messages. */
  name: string;
  loadConfig(env: Env): C;
  /** How a command gets its database; the app passes `withDataSource` from `@gateway/db`. */
  withDatabase?: <T>(config: C, fn: (db: D) => Promise<T>) => Promise<T>;
  commands: readonly CliCommand<C, D>[];
}

/** Runs one command line; resolves to the exit code (never rejects). */
export async function runCli<C, D>(
  definition: CliDefinition<C, D>,
  argv: readonly string[],
  env: Env = process.env,
  io: CliIo = processIo,
): Promise<number> {
  const synopsis = (c: CliCommand<C, D>): string => [c.name, c.args].filter(Boolean).join(' ');
  const help = commandTable(grouped(definition.commands).map((c) => [synopsis(c), c.summary]));
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(help);
    return 0;
  }
  const command = definition.commands.find((c) => {
    const words = c.name.split(' ');
    return words.every((w, i) => argv[i] === w);
  });
  if (command === undefined) {
    if (argv.length > 0) io.err(`${definition.name}: unknown command: ${argv.join(' ')}`);
    io.err(help);
    return 2;
  }
  const rest = argv.slice(command.name.split(' ').length);
  const commandUsage = (): number => {
    io.err(`usage: cli.js ${synopsis(command)}`);
    return 2;
  };
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: cli.js ${synopsis(command)}\n  ${command.summary}`);
    return 0;
  }
  let args: CliArgs;
  try {
    args = parseArgs({
      args: [...rest],
      options: command.options ?? {},
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.err(`${definition.name}: ${err instanceof Error ? err.message : String(err)}`);
    return commandUsage();
  }
  try {
    const config = definition.loadConfig(env);
    const code = await command.run({
      config,
      args,
      out: io.out,
      err: io.err,
      usage: commandUsage,
      withDatabase: (fn) => {
        if (definition.withDatabase === undefined) throw new Error(`${definition.name} has no database`);
        return definition.withDatabase(config, fn);
      },
      progress: (label, total) => createProgress(label, total, io),
    });
    return code;
  } catch (err) {
    // A ConfigError's message names the variable; anything else is the command's own failure.
    io.err(`${definition.name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/** `runCli` on the process's arguments, then exits with its code. The body of every `cli.ts`. */
export function cliMain<C, D>(definition: CliDefinition<C, D>): void {
  void runCli(definition, process.argv.slice(2)).then((code) => process.exit(code));
}

export interface Progress {
  /** Adds `n` (default 1) items done. */
  tick: (n?: number) => void;
  /** Final line with totals and the overall rate. */
  done: () => void;
}

const BAR_WIDTH = 24;
const PLAIN_INTERVAL_MS = 10_000;

/**
 * On a TTY: one redrawn line `label [#####-----] 512/1000 51% 240/s eta 2s`. Otherwise (logs, CI): a
 * plain line at every further 10 % of a known total, or every 10 s without one, so a log stays readable.
 */
export function createProgress(label: string, total: number | undefined, io: CliIo): Progress {
  const tty = io.progressStream.isTTY === true;
  const started = io.now();
  let count = 0;
  let lastPlainAt = started;
  let lastDecile = 0;
  let lastDraw = 0;
  const rate = (): number => {
    const seconds = (io.now() - started) / 1000;
    return seconds > 0 ? count / seconds : 0;
  };
  const describe = (): string => {
    const perSecond = `${formatCount(rate())}/s`;
    if (total === undefined || total <= 0) return `${label} ${formatCount(count)} ${perSecond}`;
    const fraction = Math.min(1, count / total);
    const r = rate();
    const eta = r > 0 && count < total ? ` eta ${formatDuration((total - count) / r)}` : '';
    const bar = tty ? ` [${'#'.repeat(Math.round(fraction * BAR_WIDTH)).padEnd(BAR_WIDTH, '-')}]` : '';
    return `${label}${bar} ${count}/${total} ${Math.floor(fraction * 100)}% ${perSecond}${eta}`;
  };
  return {
    tick(n = 1) {
      count += n;
      const now = io.now();
      if (tty) {
        // Redraw at most ten times a second: a terminal cannot show more, and writes cost.
        if (now - lastDraw < 100) return;
        lastDraw = now;
        io.progressStream.write(`\r${describe()}\x1b[K`);
        return;
      }
      if (total !== undefined && total > 0) {
        const decile = Math.floor((Math.min(count, total) / total) * 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          io.progressStream.write(`${describe()}\n`);
        }
      } else if (now - lastPlainAt >= PLAIN_INTERVAL_MS) {
        lastPlainAt = now;
        io.progressStream.write(`${describe()}\n`);
      }
    },
    done() {
      const seconds = (io.now() - started) / 1000;
      io.progressStream.write(
        `${tty ? '\r' : ''}${label}: ${count} done in ${formatDuration(seconds)} (${formatCount(rate())}/s)${tty ? '\x1b[K' : ''}\n`,
      );
    },
  };
}

function formatCount(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${(n / 1000).toFixed(1)}k`;
  return n >= 100 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1);
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600)
    return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * The `migrate` command every app with a database has; `runMigrations` (from `@gateway/db`) returns the
 * names of the migrations it applied.
 */
export function migrateCommand<C, D>(runMigrations: (db: D) => Promise<string[]>): CliCommand<C, D> {
  return {
    name: 'migrate',
    summary: 'apply pending database migrations',
    run: async ({ withDatabase, out }) => {
      const applied = await withDatabase(runMigrations);
      out(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
      return 0;
    },
  };
}

/** Widest synopsis that keeps its summary on the same line; longer ones put it on the next. */
const SYNOPSIS_COLUMN = 44;

/**
 * The commands one per line, each with its summary, for `--help` and a bad command line. (A single
 * `a | b | c` line was ~1,000 characters for auth-service's twenty commands.)
 */
function commandTable(rows: readonly (readonly [synopsis: string, summary: string])[]): string {
  const lines = [
    'usage: cli.js <command> [arguments]    (cli.js <command> --help for one command)',
    '',
    'commands:',
  ];
  for (const [synopsis, summary] of rows) {
    if (synopsis.length <= SYNOPSIS_COLUMN) lines.push(`  ${synopsis.padEnd(SYNOPSIS_COLUMN)}  ${summary}`);
    else lines.push(`  ${synopsis}`, `  ${' '.repeat(SYNOPSIS_COLUMN)}  ${summary}`);
  }
  return lines.join('\n');
}

/** Commands sharing a first word (`user …`) listed together, where the first of them was. */
function grouped<T extends { name: string }>(commands: readonly T[]): T[] {
  const first = (c: T): string => c.name.split(' ')[0] ?? '';
  const order = [...new Set(commands.map(first))];
  return [...commands].sort((a, b) => order.indexOf(first(a)) - order.indexOf(first(b)));
}
