import { execFile, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The flags podman needs on this kind of machine: crun refuses the hybrid cgroup layout, runc works. */
export const PODMAN = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];
/** The default rlimits cannot be set here; these can. */
export const ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `podman <args>` and resolves with its exit code and output (never rejects on a non-zero exit). */
export function podman(args: string[], timeoutMs = 120_000): Promise<CommandResult> {
  return new Promise((done) => {
    execFile(
      'podman',
      [...PODMAN, ...args],
      { timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** `podman <args>`, failing with podman's own message on a non-zero exit. */
export async function podmanOk(args: string[], timeoutMs?: number): Promise<string> {
  const r = await podman(args, timeoutMs);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The build targets of docker/Dockerfile, one image each. */
export const IMAGE_TARGETS = ['auth-service', 'rtc-jwt-service', 'sync-proxy', 'admin-dashboard'] as const;
export type ImageTarget = (typeof IMAGE_TARGETS)[number];
export type GatewayImages = Record<ImageTarget, string>;

const isTarget = (v: string | undefined): v is ImageTarget => IMAGE_TARGETS.some((t) => t === v);

/** Parses the "<target> <image>" lines tools/containers/build-images.sh prints. */
export function parseImageList(text: string): GatewayImages {
  const images: Partial<GatewayImages> = {};
  for (const line of text.split('\n')) {
    const [target, image] = line.trim().split(/\s+/);
    if (image !== undefined && isTarget(target)) images[target] = image;
  }
  const missing = IMAGE_TARGETS.filter((t) => images[t] === undefined);
  if (missing.length > 0)
    throw new Error(`expected an image for each of ${IMAGE_TARGETS.join(', ')}, got: ${text.trim()}`);
  return images as GatewayImages;
}

/**
 * The images to test: `GATEWAY_IMAGES` (as build-images.sh prints them, which the test runner sets after
 * building them once), else built now (minutes on a cold cache).
 */
export function gatewayImages(root: string): GatewayImages {
  const preset = process.env['GATEWAY_IMAGES'];
  if (preset !== undefined && preset.trim() !== '') return parseImageList(preset);
  const r = spawnSync('bash', [resolve(root, 'tools/containers/build-images.sh')], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 << 20,
  });
  if (r.status !== 0) throw new Error(`building the images failed (exit ${String(r.status)})`);
  return parseImageList(r.stdout);
}

/** True when the podman CLI can be run at all. */
export function podmanAvailable(): boolean {
  return spawnSync('podman', ['--version'], { stdio: 'ignore' }).status === 0;
}
