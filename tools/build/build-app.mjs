// Bundles a project's entry points into dist/<project-dir>/<entry>.js (CommonJS, Node 20),
// e.g. `build-app.mjs apps/sync-proxy src/main.ts src/cli.ts`.
// Workspace libs are bundled in; npm packages stay external and load from node_modules.
// esbuild does the bundling, swc the TypeScript: NestJS needs emitDecoratorMetadata, which esbuild lacks.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { build } from 'esbuild';
import { transform } from '@swc/core';

const [project, ...entries] = process.argv.slice(2);
if (!project || entries.length === 0) {
  console.error('usage: build-app.mjs <project-dir> <entry.ts>...');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '../..');

const swcPlugin = {
  name: 'swc-decorators',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const out = await transform(source, {
        filename: args.path,
        sourceMaps: 'inline',
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          target: 'es2022',
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          keepClassNames: true,
        },
        module: { type: 'es6' },
      });
      return { contents: out.code, loader: 'js' };
    });
  },
};

await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(entries.map((e) => [basename(e, '.ts'), resolve(root, project, e)])),
  outdir: resolve(root, 'dist', project),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  keepNames: true,
  tsconfig: resolve(root, 'tsconfig.base.json'),
  plugins: [swcPlugin],
  logLevel: 'warning',
});
console.log(`built dist/${project}: ${entries.map((e) => `${basename(e, '.ts')}.js`).join(', ')}`);
