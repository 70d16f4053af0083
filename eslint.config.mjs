// One lint config for the whole workspace. Warnings fail the run (`--max-warnings 0` in every lint target).
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// Packages only the db layer may touch: everything else goes through its repositories.
const dbOnly = ['typeorm', 'pg'];
// The wire-types lib is shared with any client: no framework, no I/O.
const frameworks = [
  '@nestjs/*',
  'fastify',
  'typeorm',
  'pg',
  'bullmq',
  'ioredis',
  'oidc-provider',
  'livekit-server-sdk',
  'pino',
  'prom-client',
  'zod',
];

/**
 * Who may depend on whom. Tests (and only tests) of any project may also use the `type:testing` helpers.
 * @param {boolean} forTests
 */
function boundaries(forTests) {
  const extra = forTests ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:auth', onlyDependOnLibsWithTags: ['scope:shared', 'scope:auth'] },
      { sourceTag: 'scope:rtc', onlyDependOnLibsWithTags: ['scope:shared', 'scope:rtc'] },
      { sourceTag: 'scope:sync', onlyDependOnLibsWithTags: ['scope:shared', 'scope:sync'] },
      { sourceTag: 'scope:admin', onlyDependOnLibsWithTags: ['scope:shared', 'scope:admin'] },
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: ['type:types', 'type:util', 'type:platform', 'type:data', ...extra],
        bannedExternalImports: dbOnly,
      },
      {
        sourceTag: 'type:types',
        onlyDependOnLibsWithTags: ['type:types', ...extra],
        bannedExternalImports: forTests ? [] : frameworks,
      },
      {
        sourceTag: 'type:util',
        onlyDependOnLibsWithTags: ['type:types', 'type:util', ...extra],
        bannedExternalImports: ['@nestjs/*', ...dbOnly],
      },
      {
        sourceTag: 'type:platform',
        onlyDependOnLibsWithTags: ['type:types', 'type:util', ...extra],
        bannedExternalImports: dbOnly,
      },
      // A service's own data lib (auth-data) builds on the shared db layer.
      {
        sourceTag: 'type:data',
        onlyDependOnLibsWithTags: ['type:types', 'type:util', 'type:data', ...extra],
      },
      {
        sourceTag: 'type:testing',
        onlyDependOnLibsWithTags: ['type:types', 'type:util', 'type:platform', 'type:data'],
      },
      { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:types', 'type:util', 'type:testing'] },
    ],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tmp/**', '.nx/**', 'coverage/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  prettier,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.tsx'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { disallowTypeAnnotations: false, fixStyle: 'separate-type-imports' },
      ],
      'no-console': 'error',
      // Nest types many option bags as classes; object literals for them are the documented usage.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
    },
  },
  {
    // Test helpers are for tests: production code of an app never imports them.
    files: ['apps/*/src/**/*.ts', 'apps/*/src/**/*.tsx'],
    ignores: ['**/*.spec.ts', '**/*.spec.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@gateway/testing'], message: 'Test helpers are for tests only.' }] },
      ],
    },
  },
  {
    // Tests may use non-null assertions on values they have just asserted exist, and the test helpers.
    files: ['**/*.spec.ts', '**/*.spec.tsx', '**/test/**/*.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(true)],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
