// The admin dashboard's figures: gzipped JS of the built app, and first-load time in Chromium (cold
// cache, a new browser context per load) until the page is interactive (its sign-in button rendered by
// React). Run after `nx build admin-dashboard`; see bench/README.md.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
const web = resolve(root, 'dist/apps/admin-dashboard/web');
const loads = Number(process.argv[2] ?? 10);

let js = 0;
let jsGzip = 0;
for (const name of readdirSync(resolve(web, 'assets')).filter((n) => n.endsWith('.js'))) {
  const body = readFileSync(resolve(web, 'assets', name));
  js += body.length;
  jsGzip += gzipSync(body, { level: 9 }).length;
}

const port = 18000 + Math.floor(Math.random() * 1000);
const server = spawn(process.execPath, [resolve(root, 'dist/apps/admin-dashboard/main.js')], {
  env: {
    ...process.env,
    DASHBOARD_BIND: `127.0.0.1:${port}`,
    DASHBOARD_PUBLIC_URL: `http://127.0.0.1:${port}/`,
    // Not contacted: the first load ends at the sign-in button, before any call to the auth service.
    DASHBOARD_AUTH_ISSUER: 'http://127.0.0.1:9/',
    DASHBOARD_CLIENT_ID: 'admin-dashboard',
    DASHBOARD_LOG_LEVEL: 'warn',
  },
  stdio: 'ignore',
});
const url = `http://127.0.0.1:${port}/`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${url}health`)).ok) break;
  } catch {
    if (i > 100) throw new Error('the dashboard did not start');
  }
  await new Promise((r) => setTimeout(r, 100));
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const times = [];
for (let i = 0; i < loads; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const start = performance.now();
  await page.goto(url);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  times.push(performance.now() - start);
  await context.close();
}
await browser.close();
server.kill('SIGTERM');
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  JSON.stringify(
    {
      jsBytes: js,
      jsGzipBytes: jsGzip,
      loads,
      interactiveMsMedian: Math.round(median),
      interactiveMsMax: Math.round(times[times.length - 1]),
    },
    null,
    2,
  ),
);
