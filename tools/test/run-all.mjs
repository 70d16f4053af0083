// `npm test`: every check, in order, stopping at the first failure.
//   format (Prettier on the code files) -> lint (zero warnings) -> typecheck -> build -> unit
//   -> integration (real Postgres + Redis)
//   -> security (every body-taking endpoint of the three services fuzzed with seeded bodies: 1,000 each
//   here, FUZZ_BODIES to change it). It runs each app in-process, one thread for the app and its
//   fuzzer, at ~620 auth bodies per CPU-second (64 endpoints), ~745 rtc (7) and ~350 sync (8), so
//   1,000 each is ~2.5 minutes on two quiet cores (1,500 each took 192 CPU-seconds for the three specs;
//   the whole run must stay under 30 minutes and was at ~31 before this tier grew). The issue's 10,000
//   each, ~790,000 bodies, would be ~25 minutes; the auth README's security section has the measurements.
//   -> contract (real Synapse from the test bed) -> browser (the pages in Debian's Chromium, playwright-core)
//   -> deploy (the Helm chart: rendered with tools/helm-render, which the tier builds in the test bed's
//   chroot, validated, and the built apps started with its env)
//   -> containers (the images, run with podman).
// Under CI=true a missing Synapse test bed, Chromium, chart renderer or podman fails the run; elsewhere
// its tier is skipped, loudly.
// On a fresh machine the beds take minutes of downloads and unpacking (debootstrap, apt): they are prepared
// in the background from the start, in two chains whose apt steps wait for each other's dpkg lock, while
// the CPU-bound tiers run, and each tier waits only for the bed it needs. Their output goes to
// tmp/test-reports/<chain>.log and is printed when the tier that needs it starts. The images are built the
// same way, from the contract tier on.
// Ends with one line "tests: N passed, N failed" counted from Vitest's JSON reports.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const ci = process.env.CI === 'true' || process.env.CI === '1';
const reports = resolve(root, 'tmp/test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
const started = Date.now();

function run(title, cmd, args, env = {}) {
  const t0 = Date.now();
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...env },
  });
  console.log(
    `=== ${title}: ${r.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return r.status === 0;
}

function vitest(project, env = {}) {
  const out = resolve(reports, `${project}.json`);
  const ok = run(
    `${project} tests`,
    'npx',
    [
      'vitest',
      'run',
      '--project',
      project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
    ],
    env,
  );
  try {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
  } catch {
    if (!ok) totals.failed += 1;
  }
  return ok;
}

function finish(ok) {
  console.log(`\n${ok ? 'all checks passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(
    `tests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
  );
  process.exit(ok ? 0 : 1);
}

/**
 * Runs the scripts of a chain one after the other in the background (niced: the tiers come first), each
 * script's stdout kept, stderr to the chain's log, once `after` has resolved to true (none of them when to
 * false). Resolves to one {status, stdout} per script run. A script that fails does not stop the chain:
 * each checks what it stands on and says so.
 */
function chain(name, scripts, after = Promise.resolve(true)) {
  const logPath = resolve(reports, `${name}.log`);
  const log = openSync(logPath, 'a');
  const results = [];
  const done = (async () => {
    if (!(await after)) return results;
    for (const script of scripts) {
      const r = await new Promise((settle) => {
        const child = spawn('nice', ['-n', '10', 'bash', resolve(root, script)], {
          cwd: root,
          stdio: ['ignore', 'pipe', log],
        });
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
        child.on('error', () => settle({ status: 1, stdout }));
        child.on('close', (status) => settle({ status, stdout }));
      });
      results.push(r);
    }
    return results;
  })();
  return {
    done,
    async wait(title) {
      const t0 = Date.now();
      const r = await done;
      const waited = ((Date.now() - t0) / 1000).toFixed(1);
      console.log(`\n=== ${title} (prepared in the background; waited ${waited} s)`);
      const text = readFileSync(logPath, 'utf8').trim();
      if (text) console.log(text);
      return r;
    },
  };
}

// The Synapse test bed (needed by the contract tier on) and the chart renderer, built in its chroot; then
// Chromium, podman and the Node base image of the container tier. Each is cached outside the repo and
// needs root the first time.
const beds = chain('beds-synapse', ['tools/synapse/build-chroot.sh', 'tools/helm-render/build.sh']);
const tools = chain('beds-tools', [
  'tools/browser/ensure-chromium.sh',
  'tools/containers/ensure-podman.sh',
  'tools/containers/build-node-base.sh',
]);

// CI proves the tree as it is: no results replayed from a local Nx cache. The three targets go to Nx at
// once, so a core freed by one project's lint takes the next typecheck instead of idling until the
// slowest lint ends; any failure still stops the run before the tests.
const nx = (...targets) => [
  'nx',
  'run-many',
  '-t',
  ...targets,
  '--outputStyle=stream',
  '--parallel=2',
  ...(ci ? ['--skip-nx-cache'] : []),
];
// ESLint does not check formatting (eslint-config-prettier turns its style rules off), and files it does
// not lint (bench scripts, the chart's init-secrets.mjs) had drifted. Documents, YAML and JSON are left
// as written: Prettier would rewrap the chart's values and the READMEs' tables.
const codeFiles = '**/*.{ts,tsx,mts,cts,js,mjs,cjs}';
if (!run('format', 'npx', ['prettier', '--check', '--log-level', 'warn', codeFiles])) finish(false);
if (!run('lint, typecheck, build', 'npx', nx('lint', 'typecheck', 'build'))) finish(false);
if (!vitest('unit')) finish(false);
if (!vitest('integration')) finish(false);
if (!vitest('security', { FUZZ_BODIES: process.env.FUZZ_BODIES ?? '1000' })) finish(false);

// The Synapse test bed: built once and cached outside the repo (needs root the first time).
const [bed] = await beds.wait('Synapse test bed');
const chroot = bed.status === 0 ? bed.stdout.trim().split('\n').pop() : '';
if (!chroot) {
  if (ci) {
    console.log('=== Synapse test bed: UNAVAILABLE — failing, since CI must run the contract tests');
    finish(false);
  }
  console.log('\n' + '!'.repeat(78));
  console.log('!!! CONTRACT TESTS SKIPPED: the Synapse test bed is unavailable (see above).');
  console.log('!!! Run `sudo bash tools/synapse/build-chroot.sh` once, then `npm test` again.');
  console.log('!'.repeat(78));
  finish(totals.failed === 0);
}
console.log(`=== Synapse test bed: ${chroot}`);
// The four images take minutes to build cold (two `npm ci` in their dependency stages, the apps' builds):
// built in the background from here on, once podman and the base image are ready, they are done by the
// time the container tier needs them. Not earlier: the security tier's answer deadlines are measured
// without a build beside them, and the contract tier's Synapse waits leave the cores idle for much of it.
// Without podman nothing is built (the container tier is then skipped, or fails under CI, below).
const images = chain(
  'images',
  ['tools/containers/build-images.sh'],
  tools.done.then(([, podman]) => podman?.status === 0),
);
if (!vitest('contract', { SYNAPSE_CHROOT: chroot })) finish(false);

// The pages as a person meets them: Debian's chromium (installed when missing; needs root), driven by
// playwright-core, which never downloads a browser of its own.
const [chromium, podmanReady] = await tools.wait('Chromium, podman and the Node base image');
if (chromium.status === 0) {
  if (!vitest('browser', { SYNAPSE_CHROOT: chroot })) finish(false);
} else if (ci) {
  console.log('=== Chromium: UNAVAILABLE — failing, since CI must run the browser tests');
  finish(false);
} else {
  console.log('\n' + '!'.repeat(78));
  console.log('!!! BROWSER TESTS SKIPPED: chromium is not installed and cannot be installed here.');
  console.log('!!! Run `sudo bash tools/browser/ensure-chromium.sh` once, then `npm test` again.');
  console.log('!'.repeat(78));
}
// The deploy tier builds the chart renderer itself (k8s/test/support/chart.ts): failing under CI when it
// cannot, skipping loudly elsewhere.
if (!vitest('deploy', { SYNAPSE_CHROOT: chroot })) finish(false);

// The container images: podman from Debian (installed when missing; needs root), a Node base image built
// from Debian packages and cached outside the repo, then the three images from docker/Dockerfile.
function skipContainers(why) {
  if (ci) {
    console.log(`=== container images: UNAVAILABLE (${why}) — failing, since CI must test the images`);
    finish(false);
  }
  console.log('\n' + '!'.repeat(78));
  console.log(`!!! CONTAINER TESTS SKIPPED: ${why}.`);
  console.log('!!! Run `sudo bash tools/containers/ensure-podman.sh` once, then `npm test` again.');
  console.log('!'.repeat(78));
  finish(totals.failed === 0);
}
if (podmanReady.status !== 0) skipContainers('podman is not installed and cannot be installed here');
const [built] = await images.wait('container images');
if (built.status === 2) skipContainers('the Node base image cannot be built here (needs root)');
if (built.status !== 0) {
  console.log('=== container images: FAILED to build');
  finish(false);
}
console.log(`=== container images: built\n${built.stdout.trim()}`);
finish(vitest('containers', { SYNAPSE_CHROOT: chroot, GATEWAY_IMAGES: built.stdout }));
