// `npm start`, `npm test` and the benches work straight after `git clone`: install from the lockfile first
// when node_modules is missing or was installed from another lockfile. No dependencies of its own, by
// necessity.
//
// Which lockfile node_modules matches is recorded as its SHA-256 in node_modules/.gateway-lockfile.sha256,
// after an install here, or the first time npm's own marker (node_modules/.package-lock.json) is newer
// than the lockfile. Without the record, modification times alone decided, and a checkout that rewrites
// the lockfile without changing it (a branch switch, a new git worktree) reinstalled everything; in a
// worktree whose node_modules links to another checkout's install (.gitignore allows the link), that
// `npm ci` emptied the install every checkout shared.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const marker = resolve(root, 'node_modules/.package-lock.json');
const record = resolve(root, 'node_modules/.gateway-lockfile.sha256');
const lock = resolve(root, 'package-lock.json');

const lockHash = createHash('sha256').update(readFileSync(lock)).digest('hex');
const installed = existsSync(marker);
const recorded = existsSync(record) ? readFileSync(record, 'utf8').trim() : undefined;
const fresh =
  installed &&
  (recorded === undefined ? statSync(marker).mtimeMs >= statSync(lock).mtimeMs : recorded === lockHash);
if (!fresh) {
  console.log('[deps] installing dependencies from package-lock.json (npm ci)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (recorded !== lockHash) writeFileSync(record, `${lockHash}\n`);
