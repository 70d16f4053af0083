import { describe, expect, it } from 'vitest';
import { createProgress, migrateCommand, runCli, type CliDefinition, type CliIo } from './cli';

function io(tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  let now = 0;
  const value: CliIo & { advance(ms: number): void } = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    progressStream: Object.assign(
      {
        write: (chunk: string) => {
          progress.push(chunk);
          return true;
        },
      } as unknown as NodeJS.WritableStream,
      { isTTY: tty },
    ),
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
  return { io: value, out, err, progress };
}

interface Config {
  name: string;
}

const opened: string[] = [];
const cli: CliDefinition<Config, string> = {
  name: 'demo',
  loadConfig: (env) => {
    if (env['DEMO_NAME'] === 'bad') throw new Error('Invalid configuration:\n  - DEMO_NAME: must not be bad');
    return { name: env['DEMO_NAME'] ?? 'x' };
  },
  withDatabase: async (config, fn) => {
    opened.push(`open ${config.name}`);
    try {
      return await fn(`db-${config.name}`);
    } finally {
      opened.push('close');
    }
  },
  commands: [
    {
      name: 'config check',
      summary: 'validate',
      run: (ctx) => {
        ctx.out(`ok ${ctx.config.name}`);
        return 0;
      },
    },
    {
      name: 'user add',
      args: '<localpart> [--admin]',
      summary: 'add a user',
      options: { admin: { type: 'boolean', default: false } },
      run: async (ctx) => {
        const localpart = ctx.args.positionals[0];
        if (localpart === undefined) return ctx.usage();
        const db = await ctx.withDatabase((d) => Promise.resolve(d));
        ctx.out(`${localpart} ${String(ctx.args.values['admin'])} ${db}`);
        return 0;
      },
    },
    {
      name: 'fail',
      summary: 'always fails',
      run: () => fail(),
    },
  ],
};

function fail(): never {
  throw new Error('it broke');
}

describe('runCli', () => {
  it('runs a two-word command with the parsed configuration', async () => {
    const t = io();
    expect(await runCli(cli, ['config', 'check'], { DEMO_NAME: 'n' }, t.io)).toBe(0);
    expect(t.out).toEqual(['ok n']);
  });

  it('parses options and positionals, and opens and closes the database around the command', async () => {
    const t = io();
    opened.length = 0;
    expect(await runCli(cli, ['user', 'add', 'alice', '--admin'], { DEMO_NAME: 'n' }, t.io)).toBe(0);
    expect(t.out).toEqual(['alice true db-n']);
    expect(opened).toEqual(['open n', 'close']);
  });

  it('prints usage and exits 2 for an unknown command, a missing argument or an unknown option', async () => {
    const t = io();
    expect(await runCli(cli, ['nope'], {}, t.io)).toBe(2);
    expect(t.err[0]).toBe('demo: unknown command: nope');
    expect(t.err[1]?.split('\n')).toEqual([
      'usage: cli.js <command> [arguments]    (cli.js <command> --help for one command)',
      '',
      'commands:',
      '  config check                                  validate',
      '  user add <localpart> [--admin]                add a user',
      '  fail                                          always fails',
    ]);
    expect(await runCli(cli, ['user', 'add'], {}, t.io)).toBe(2);
    expect(await runCli(cli, ['user', 'add', 'a', '--bogus'], {}, t.io)).toBe(2);
    const bare = io();
    expect(await runCli(cli, [], {}, bare.io)).toBe(2);
    // No command at all is not an unknown one: only the list.
    expect(bare.err).toEqual([t.err[1]]);
  });

  it('lists commands sharing a first word together, where the first of them was', async () => {
    const t = io();
    const mixed: CliDefinition<Config, string> = {
      ...cli,
      commands: ['user add', 'migrate', 'user lock', 'token add', 'user unlock'].map((name) => ({
        name,
        summary: name,
        run: () => 0,
      })),
    };
    expect(await runCli(mixed, ['--help'], {}, t.io)).toBe(0);
    expect(
      t.out[0]
        ?.split('\n')
        .slice(3)
        .map((l) => l.trim().split(/ {2,}/)[0]),
    ).toEqual(['user add', 'user lock', 'user unlock', 'migrate', 'token add']);
  });

  it('puts a summary on the next line when the synopsis is too wide for the column', async () => {
    const t = io();
    const wide: CliDefinition<Config, string> = {
      ...cli,
      commands: [
        {
          name: 'import',
          args: '--from <a very long source description> [--dry-run]',
          summary: 'import',
          run: () => 0,
        },
      ],
    };
    expect(await runCli(wide, ['--help'], {}, t.io)).toBe(0);
    expect(t.out[0]?.split('\n').slice(3)).toEqual([
      '  import --from <a very long source description> [--dry-run]',
      `  ${' '.repeat(44)}  import`,
    ]);
  });

  it('answers --help on stdout with 0, for all commands or one', async () => {
    const t = io();
    expect(await runCli(cli, ['--help'], {}, t.io)).toBe(0);
    expect(t.out[0]).toContain('config check');
    expect(await runCli(cli, ['user', 'add', '--help'], {}, t.io)).toBe(0);
    expect(t.out[1]).toContain('add a user');
  });

  it('exits 1 naming the variable for a configuration error, and for a failed command', async () => {
    const t = io();
    expect(await runCli(cli, ['config', 'check'], { DEMO_NAME: 'bad' }, t.io)).toBe(1);
    expect(t.err[0]).toMatch(/^demo: [^]*DEMO_NAME: must not be bad/);
    expect(await runCli(cli, ['fail'], {}, t.io)).toBe(1);
    expect(t.err[1]).toBe('demo: it broke');
  });
});

describe('migrateCommand', () => {
  it('reports applied migrations, then that the database is up to date', async () => {
    const pending = ['One', 'Two'];
    const migrating: CliDefinition<Config, string> = {
      ...cli,
      commands: [migrateCommand(() => Promise.resolve(pending.splice(0)))],
    };
    const t = io();
    expect(await runCli(migrating, ['migrate'], {}, t.io)).toBe(0);
    expect(await runCli(migrating, ['migrate'], {}, t.io)).toBe(0);
    expect(t.out).toEqual(['applied: One, Two', 'database is up to date']);
  });
});

describe('createProgress', () => {
  it('writes a plain line per 10 % when not on a TTY, with rate and ETA', () => {
    const t = io(false);
    const p = createProgress('import', 100, t.io);
    for (let i = 0; i < 100; i++) {
      t.io.advance(10);
      p.tick();
    }
    p.done();
    expect(t.progress).toHaveLength(11);
    expect(t.progress[0]).toBe('import 10/100 10% 100/s eta 1s\n');
    expect(t.progress[10]).toBe('import: 100 done in 1s (100/s)\n');
  });

  it('writes a line every 10 s without a total', () => {
    const t = io(false);
    const p = createProgress('events', undefined, t.io);
    t.io.advance(5_000);
    p.tick(500);
    t.io.advance(5_000);
    p.tick(500);
    expect(t.progress).toEqual(['events 1000 100/s\n']);
  });

  it('redraws one bar line on a TTY, at most ten times a second', () => {
    const t = io(true);
    const p = createProgress('rooms', 10, t.io);
    t.io.advance(200);
    p.tick(5);
    t.io.advance(50);
    p.tick(1);
    expect(t.progress).toHaveLength(1);
    expect(t.progress[0]).toBe('\rrooms [############------------] 5/10 50% 25/s eta 0s\x1b[K');
  });
});
