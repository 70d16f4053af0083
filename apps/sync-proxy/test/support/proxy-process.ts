import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { resolve } from 'node:path';
import { freePort } from '@gateway/testing';

const MAIN = resolve(__dirname, '../../../../dist/apps/sync-proxy/main.js');

/** The built proxy as a child process, so a test can kill it for real (SIGKILL: no clean shutdown). */
export interface ProxyProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

export async function spawnProxy(env: Record<string, string>): Promise<ProxyProcess> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, SYNCV3_BINDADDR: `127.0.0.1:${String(port)}`, SYNCV3_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((r) => {
    child.once('exit', () => {
      r();
    });
  });
  const url = `http://127.0.0.1:${String(port)}`;
  for (let i = 0; ; i++) {
    if ((await status(`${url}/ready`)) === 200) break;
    if (i > 300 || child.exitCode !== null) throw new Error(`proxy did not become ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => output,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

function status(url: string): Promise<number> {
  return new Promise((done) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    }).on('error', () => {
      done(0);
    });
  });
}
