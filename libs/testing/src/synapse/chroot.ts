import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repo's script that builds and caches the Debian sid chroot holding matrix-synapse, found by
 * walking up from this file (which may run from source or from a bundle under dist/).
 */
export const BUILD_SCRIPT = findUp(__dirname, 'tools/synapse/build-chroot.sh');

function findUp(from: string, relative: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return join(from, relative);
  }
}

/**
 * The chroot's path, building it on first use (minutes; needs root). `SYNAPSE_CHROOT` skips the build
 * script, e.g. when the test runner already resolved it once for the whole run.
 */
export async function synapseChroot(): Promise<string> {
  const preset = process.env['SYNAPSE_CHROOT'];
  if (preset !== undefined && preset !== '' && existsSync(`${preset}/.ready`)) return preset;
  return new Promise((done, fail) => {
    execFile('bash', [BUILD_SCRIPT], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err)
        fail(new Error(`Synapse test bed unavailable: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      else done(stdout.trim().split('\n').pop() ?? '');
    });
  });
}
