import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const CHART = resolve(ROOT, 'k8s/charts/matrix-gateway');
export const CI_VALUES = readdirSync(resolve(CHART, 'ci'))
  .filter((f) => f.endsWith('values.yaml'))
  .sort();

const ci = process.env['CI'] === 'true' || process.env['CI'] === '1';

export type K8sObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
};

export interface Rendered {
  source: string;
  object: K8sObject;
}

/**
 * The renderer (tools/helm-render), built once per machine by its build script. Undefined when it
 * cannot be built here (no root, no test bed): the caller skips, loudly; under CI that is a failure.
 */
export function helmRenderBinary(): string | undefined {
  const preset = process.env['HELM_RENDER'];
  if (preset !== undefined && preset !== '') return preset;
  const r = spawnSync('bash', [resolve(ROOT, 'tools/helm-render/build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15 * 60_000,
  });
  const path = r.status === 0 ? r.stdout.trim().split('\n').pop() : undefined;
  if (path !== undefined && path !== '') return path;
  const why = `the chart renderer could not be built: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  if (ci) throw new Error(`${why} (CI must run the chart tests)`);
  process.stderr.write(`\n${'!'.repeat(78)}\n!!! CHART TESTS SKIPPED: ${why}\n${'!'.repeat(78)}\n\n`);
  return undefined;
}

function run(bin: string, args: string[], input?: string): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

function valueArgs(files: string[], sets: string[]): string[] {
  return [
    ...files.flatMap((f) => ['-f', f.startsWith('/') ? f : resolve(CHART, 'ci', f)]),
    ...sets.flatMap((s) => ['--set', s]),
  ];
}

export class Chart {
  constructor(readonly bin: string) {}

  /** `helm template` of the chart with these values files (relative ones are under ci/) and --set's. */
  render(files: string[], sets: string[] = [], name = 'gw'): Rendered[] {
    const r = this.tryRender(files, sets, name);
    if (!r.ok) throw new Error(r.error);
    return r.objects;
  }

  tryRender(
    files: string[],
    sets: string[] = [],
    name = 'gw',
  ): { ok: true; objects: Rendered[] } | { ok: false; error: string } {
    const r = run(this.bin, [
      'template',
      CHART,
      '--name',
      name,
      '--namespace',
      'matrix',
      ...valueArgs(files, sets),
    ]);
    if (!r.ok) return { ok: false, error: r.stderr };
    return { ok: true, objects: JSON.parse(r.stdout) as Rendered[] };
  }

  /** The merged values, as Helm checks them against values.schema.json. */
  values(files: string[], sets: string[] = []): Record<string, unknown> {
    const r = run(this.bin, ['values', CHART, ...valueArgs(files, sets)]);
    if (!r.ok) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  /** Strict decoding of each object into its Kubernetes API type (validate.go). */
  strictValidate(objects: K8sObject[]): { kind: string; name: string; status: string; errors?: string[] }[] {
    const r = run(this.bin, ['validate'], JSON.stringify(objects));
    if (!r.ok) throw new Error(r.stdout + r.stderr);
    return JSON.parse(r.stdout) as { kind: string; name: string; status: string; errors?: string[] }[];
  }

  yamlToJson(text: string): unknown {
    const r = run(this.bin, ['yaml2json'], text);
    if (!r.ok) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as unknown;
  }
}

export function find(objects: Rendered[], kind: string, name?: string): K8sObject[] {
  return objects
    .map((o) => o.object)
    .filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}
