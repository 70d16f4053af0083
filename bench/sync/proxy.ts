import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { freePort } from '@gateway/testing';

/** The built sync proxy as a child process, so its memory is its own and can be read from /proc. */
export interface ProxyChild {
  url: string;
  child: ChildProcess;
  /** Resident and peak resident memory of the child, in MiB (`VmRSS`, `VmHWM` of /proc/<pid>/status). */
  memory: () => { rssMiB: number; peakMiB: number };
  /** CPU time (user + system) the child used so far, in ms (10 ms resolution). */
  cpuMs: () => number;
  /** A gauge from its /metrics, e.g. `sync_proxy_waiters`. */
  gauge: (name: string) => Promise<number>;
  /** Every sample of a metric from its /metrics, by its full sample name with labels (`name_sum{…}`). */
  samples: (name: string) => Promise<Map<string, number>>;
  output: () => string;
  stop: () => Promise<void>;
}

export async function spawnProxy(
  main: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ProxyChild> {
  const port = await freePort();
  // /metrics is served only on the internal listener (the client port forwards it to the homeserver).
  const promPort = await freePort();
  let output = '';
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: {
      ...process.env,
      SYNCV3_BINDADDR: `127.0.0.1:${String(port)}`,
      SYNCV3_PROM: `127.0.0.1:${String(promPort)}`,
      SYNCV3_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep only the tail: a long run must not grow the bench's own memory.
  const keep = (c: Buffer): void => {
    output = (output + c.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((r) => {
    child.once('exit', () => {
      r();
    });
  });
  const url = `http://127.0.0.1:${String(port)}`;
  const metricsUrl = `http://127.0.0.1:${String(promPort)}/metrics`;
  for (let i = 0; ; i++) {
    if ((await statusOf(`${url}/ready`)) === 200) break;
    if (i > 300 || child.exitCode !== null) throw new Error(`proxy did not become ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid;
  return {
    url,
    child,
    output: () => output,
    memory: () => {
      const status = pid === undefined ? '' : readFileSync(`/proc/${String(pid)}/status`, 'utf8');
      const kib = (field: string): number =>
        Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
      return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
    },
    cpuMs: () => {
      const stat = pid === undefined ? '' : readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
      // Fields after the command name: state is field 3, utime 14 and stime 15, in 1/100 s (CLK_TCK).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    gauge: async (name) => {
      const text = await (await fetch(metricsUrl)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
      return line === undefined ? NaN : Number(line.split(' ').at(-1));
    },
    samples: async (name) => {
      const text = await (await fetch(metricsUrl)).text();
      const out = new Map<string, number>();
      for (const line of text.split('\n')) {
        if (!line.startsWith(name)) continue;
        const at = line.lastIndexOf(' ');
        out.set(line.slice(0, at), Number(line.slice(at + 1)));
      }
      return out;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** A one-off connection (no keep-alive pool), for polling readiness. */
function statusOf(url: string): Promise<number> {
  return new Promise((done) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    }).on('error', () => {
      done(0);
    });
  });
}
