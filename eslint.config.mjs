import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

// Module boundaries: an app never imports another app; libs never import apps;
// a scope only reaches its own scope and `scope:shared`; test helpers only from tests.
const scopes = ['gateway', 'gift', 'bank', 'im'].map((s) => ({
  sourceTag: `scope:${s}`,
  onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'],
}));
const typeRules = (allowTesting) => [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:data', ...(allowTesting ? ['type:testing'] : [])],
  },
  {
    sourceTag: 'type:lib',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', ...(allowTesting ? ['type:testing', 'type:data'] : [])],
  },
  {
    sourceTag: 'type:data',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', ...(allowTesting ? ['type:testing'] : [])],
  },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:data'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  ...scopes,
];
// libs/testing builds on database/redis/kafka, and those libs' own integration specs use it: the only
// back edges are from those libs' spec files (the build excludes libs/testing, so production code never has them).
const testingCycles = ['database', 'redis', 'kafka', 'rate-limit'].map((lib) => ['testing', lib]);
const boundaries = (allowTesting) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: typeRules(allowTesting),
    ignoredCircularDependencies: testingCycles,
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      '.infra',
      '.nx',
      'coverage',
      'test-output',
      'bench-output',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(false),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Production code stays readable: a file under 300 lines, a function under 60.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.spec-data.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**'],
    rules: {
      'max-lines': ['error', { max: 300 }],
      'max-lines-per-function': ['error', { max: 60 }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(true) },
  },
);
