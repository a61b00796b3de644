import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import pureCore from './shared/pure-core.json' with { type: 'json' };

// The pure core of @portcullis/shared (ADR 8): only the modules shared/pure-core.json lists; I/O lives in
// shared/src/adapters behind its own package export. shared/src/testing/import-graph.test.ts walks the
// same rule through the import graph and shows this block refusing a violation.
const PURE_CORE_MESSAGE =
  'The pure core of @portcullis/shared does no I/O (ADR 8, shared/pure-core.json): put this in shared/src/adapters/ behind a package export.';
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const allowedModules = [...Object.keys(pureCore.nodeBuiltins), ...Object.keys(pureCore.packages)].map(escapeRegex).join('|');
export const pureCoreImportRule = {
  patterns: [
    // Anything but a relative path or a listed module (or a file of a listed package), types included.
    { regex: `^(?!\\.{1,2}/)(?!(${allowedModules})(/|$))`, message: PURE_CORE_MESSAGE },
    // The core never reaches into its own adapters.
    { regex: '(^|/)adapters(/|$)', message: PURE_CORE_MESSAGE },
  ],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'shared/scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      complexity: ['error', 15],
      'max-lines': ['warn', { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: { 'max-lines': 'off' },
  },
  {
    // One error model (issue 11): what the product throws carries a stable code (PortcullisError or a
    // subclass, codes in shared/src/errors/codes.ts, each documented in docs/errors.md).
    files: ['shared/src/**/*.ts', 'sidecar/src/**/*.ts', 'webhook/src/**/*.ts', 'cli/src/**/*.ts'],
    ignores: [
      // Tests and test helpers fail tests with plain errors.
      '**/*.test.ts',
      '**/testdata/**',
      '**/test-support/**',
      'shared/src/testing/**',
      // Build-time generators, run from source under type stripping (npm run -w @portcullis/shared generate):
      // they cannot import the error module by its .js name.
      'shared/src/crd/generate-types.ts',
      'shared/src/crd/generate-schemas.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Error'], CallExpression[callee.name='Error']",
          message: 'Throw a PortcullisError (or a subclass) with a code from shared/src/errors/codes.ts, documented in docs/errors.md.',
        },
      ],
    },
  },
  {
    // In shared (core and adapters) the built-in subclasses too: a RangeError or TypeError thrown there
    // reaches the sidecar or the webhook without a code.
    files: ['shared/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testdata/**', 'shared/src/testing/**', 'shared/src/crd/generate-types.ts', 'shared/src/crd/generate-schemas.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'NewExpression[callee.name=/^(Aggregate|Eval|Range|Reference|Syntax|Type|URI)?Error$/], CallExpression[callee.name=/^(Aggregate|Eval|Range|Reference|Syntax|Type|URI)?Error$/]',
          message: 'Throw a PortcullisError (or a subclass) with a code from shared/src/errors/codes.ts, documented in docs/errors.md.',
        },
      ],
    },
  },
  {
    files: ['shared/src/**/*.ts'],
    ignores: [
      'shared/src/adapters/**',
      '**/*.test.ts',
      '**/testdata/**',
      'shared/src/testing/**',
      // Build-time generators (npm run -w @portcullis/shared generate), never imported by the core.
      'shared/src/crd/generate-types.ts',
      'shared/src/crd/generate-schemas.ts',
      'shared/src/crd/validate/generate-validators.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', pureCoreImportRule],
      // No env, processes, timers or network from the core either: the runtimes inject clocks and I/O.
      'no-restricted-globals': [
        'error',
        ...['process', 'require', 'fetch', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'Bun', 'Deno'].map((name) => ({
          name,
          message: PURE_CORE_MESSAGE,
        })),
      ],
    },
  },
  {
    files: ['*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
