// Unit suites live beside the code as *.test.ts; e2e suites as *.e2e.test.ts and need the local
// control plane (started once by e2e/src/setup/global-setup.ts, run compiled from e2e/dist because jest loads it outside its transform). Both run TypeScript through ts-jest's
// ESM preset; type checking is `npm run typecheck`, so ts-jest only transpiles.
const tsJest = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.base.json' }],
};
const moduleNameMapper = {
  '^@portcullis/shared$': '<rootDir>/shared/src/index.ts',
  '^@portcullis/shared/kube-rest$': '<rootDir>/shared/src/kube/rest/index.ts',
  '^@portcullis/shared/client-node$': '<rootDir>/shared/src/kube/client-node-list-watch.ts',
  '^@portcullis/shared/pki$': '<rootDir>/shared/src/pki/certificates.ts',
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
