// Unit suites live beside the code as *.test.ts; e2e suites as *.e2e.test.ts and need the local
// control plane (started once by e2e/src/setup/global-setup.ts, run compiled from e2e/dist because jest loads it outside its transform). Both run TypeScript through ts-jest's
// ESM preset; type checking is `npm run typecheck`, so ts-jest only transpiles.
const tsJest = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.base.json' }],
};
const moduleNameMapper = {
  '^@portcullis/shared$': '<rootDir>/shared/src/index.ts',
  // The adapter entry points of shared/package.json "exports" (ADR 8), mapped to their sources.
  '^@portcullis/shared/kube$': '<rootDir>/shared/src/adapters/kube/index.ts',
  '^@portcullis/shared/kube/client-node$': '<rootDir>/shared/src/adapters/kube/client-node-list-watch.ts',
  '^@portcullis/shared/pki$': '<rootDir>/shared/src/adapters/pki/certificates.ts',
  '^@portcullis/shared/logging$': '<rootDir>/shared/src/adapters/logging/component-logger.ts',
  '^@portcullis/shared/node-streams$': '<rootDir>/shared/src/adapters/node-streams/index.ts',
  '^@portcullis/shared/http$': '<rootDir>/shared/src/adapters/http/node-http.ts',
  // Test helpers (property-based fuzzing), not an adapter: only tests import it.
  '^@portcullis/shared/testing/fuzz$': '<rootDir>/shared/src/testing/fuzz.ts',
  '^@portcullis/cli$': '<rootDir>/cli/src/index.ts',
  '^@portcullis/sidecar$': '<rootDir>/sidecar/src/index.ts',
  '^@portcullis/sidecar/testing$': '<rootDir>/sidecar/src/testing.ts',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: tsJest,
  moduleNameMapper,
  // .cache holds copies of builds (bench A/B) whose package names would collide with the workspaces.
  modulePathIgnorePatterns: ['<rootDir>/.cache/'],
  testEnvironment: 'node',
};

export default {
  // Per-project testTimeout is ignored by jest; e2e hooks start real servers, so the default 5 s is too short.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['\\.e2e\\.test\\.ts$', '/node_modules/', '/dist/', '/\\.cache/'],
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/e2e'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
      testMatch: ['**/*.e2e.test.ts'],
      globalSetup: '<rootDir>/e2e/dist/setup/global-setup.js',
      globalTeardown: '<rootDir>/e2e/dist/setup/global-teardown.js',
    },
  ],
};
