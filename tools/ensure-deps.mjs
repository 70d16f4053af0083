// `npm start` and `npm test` work straight after `git clone`: install from the lockfile first when
// node_modules is missing or older than the lockfile. No dependencies of its own, by necessity.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const marker = resolve(root, 'node_modules/.package-lock.json');
const lock = resolve(root, 'package-lock.json');
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.log('[deps] installing dependencies from package-lock.json (npm ci)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
