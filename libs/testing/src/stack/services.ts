import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface ServiceSpec {
  name: string;
  /** dist/apps/<app>/main.js */
  main: string;
  env: Record<string, string>;
  url: string;
}

export interface RunningService {
  spec: ServiceSpec;
  child: ChildProcess;
}

/** Writes a service's log line somewhere; by default to stdout, prefixed with the service's name. */
export type ServiceOutput = (name: string, line: string) => void;

const toStdout: ServiceOutput = (name, line) => {
  process.stdout.write(`[${name}] ${line}\n`);
};

/** Starts a built service with its own environment; its JSON log lines go to `output`. */
export function startService(
  root: string,
  spec: ServiceSpec,
  onExit: (name: string, code: number | null) => void,
  output: ServiceOutput = toStdout,
): RunningService {
  const child = spawn(process.execPath, [resolve(root, spec.main)], {
    cwd: root,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      output(spec.name, line);
    });
  }
  child.on('exit', (code) => {
    onExit(spec.name, code);
  });
  return { spec, child };
}

export async function waitHealthy(url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}/health did not answer within ${timeoutMs} ms`);
}

export function stopService(service: RunningService): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 12_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}
