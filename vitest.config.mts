// Seven tiers, run in this order by `npm test`:
//   unit        src/**/*.spec.ts          no I/O beyond loopback fakes
//   integration test/integration/**       real Postgres and Redis, a fresh database / key prefix per test
//   security    test/security/**          every body-taking endpoint fuzzed with FUZZ_BODIES seeded bodies
//                                         (npm test sends 1,000; 10,000 when unset) on real Postgres and
//                                         Redis: no 5xx, no hang, no secret in answers or logs
//   contract    test/contract/**          real Synapse from the test bed (tools/synapse)
//   browser     test/browser/**           the pages in Debian's Chromium through playwright-core, on the
//                                         real Synapse test bed (tools/browser/ensure-chromium.sh)
//   deploy      k8s/test/**               the Helm chart rendered with Go's text/template (tools/helm-render),
//                                         validated, and the built apps started with its environment
//   containers  tools/containers/test/**  the images from docker/Dockerfile, run with podman (tools/containers)
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { configDefaults, defineConfig } from 'vitest/config';

const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));
const alias = {
  '@gateway/auth-data': lib('auth-data'),
  '@gateway/config': lib('config'),
  '@gateway/db': lib('db'),
  '@gateway/http': lib('http'),
  '@gateway/matrix': lib('matrix'),
  '@gateway/queues': lib('queues'),
  '@gateway/server': lib('server'),
  '@gateway/sync-data': lib('sync-data'),
  '@gateway/testing': lib('testing'),
  '@gateway/util': lib('util'),
};
// swc, not esbuild: NestJS dependency injection needs emitDecoratorMetadata, which esbuild cannot emit.
const plugins = [
  swc.vite({
    jsc: {
      target: 'es2022',
      // The admin dashboard's components (.tsx) use React's automatic JSX runtime, as its Vite build does.
      transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
    },
  }),
];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          // The dashboard's component tests (.spec.tsx) choose happy-dom in their first line.
          include: [
            'apps/*/src/**/*.spec.ts',
            'apps/*/src/**/*.spec.tsx',
            'libs/*/src/**/*.spec.ts',
            'tools/**/*.spec.ts',
          ],
          // A tool's own test/ folders hold its integration and contract tests.
          exclude: [...configDefaults.exclude, 'tools/*/test/**'],
          // Vitest's default is one worker fewer than the cores: one on two. Two took this tier from 86 s
          // to 49 s on two cores (imports and set-up overlap the other file's tests).
          maxWorkers: 2,
          testTimeout: 15_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['apps/*/test/integration/**/*.spec.ts', 'libs/*/test/integration/**/*.spec.ts'],
          // Two files at a time (one by Vitest's default on two cores): each has its own database and
          // Redis key prefix, and much of a file's time is waiting on them; 245 s → 121 s.
          maxWorkers: 2,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'security',
          include: ['apps/*/test/security/**/*.spec.ts'],
          // Each file runs its app in-process, the app and its fuzzer on one thread; files still run one at
          // a time, so a file's answer deadline and timings are not measured against another file's load.
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'contract',
          include: [
            'apps/*/test/contract/**/*.spec.ts',
            'libs/*/test/contract/**/*.spec.ts',
            'tools/*/test/contract/**/*.spec.ts',
          ],
          // Each file starts its own Synapse; two cores cannot run several at once usefully.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'browser',
          include: ['apps/*/test/browser/**/*.spec.ts'],
          // Each file starts its own Synapse and Chromium.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'deploy',
          include: ['k8s/test/**/*.spec.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          // The first run builds the chart renderer (Go, in the test bed's chroot): minutes.
          hookTimeout: 900_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'containers',
          include: ['tools/containers/test/**/*.spec.ts'],
          exclude: ['tools/containers/test/contract/**'],
          fileParallelism: false,
          testTimeout: 60_000,
          // Building the images when the runner has not (GATEWAY_IMAGES unset) takes minutes.
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
