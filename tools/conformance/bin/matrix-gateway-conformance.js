#!/usr/bin/env node
// `npx matrix-gateway-conformance` from the repository root runs this (the root package.json's "bin").
// It starts the built command; build it first with `npx nx build conformance`.
'use strict';
const { existsSync } = require('node:fs');
const { resolve } = require('node:path');

const built = resolve(__dirname, '../../../dist/tools/conformance/main.js');
if (!existsSync(built)) {
  process.stderr.write(
    'matrix-gateway-conformance is not built yet: run `npx nx build conformance` (or `npm run build`) in the repository first\n',
  );
  process.exit(2);
}
require(built);
