import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
    files: ['shared/src/**/*.ts', 'sidecar/src/**/*.ts', 'webhook/src/**/*.ts'],
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
      // TODO(issue 11): it wraps a thrown non-Error; pick the code the callers map it to (INTERNAL or
      // IDENTITY_UNAVAILABLE) so the answer the app gets does not change.
      'sidecar/src/identity/timers.ts',
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
    files: ['*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
