import type { Config } from 'jest';

/**
 * One Jest run, two projects:
 *  - unit:        `*.spec.ts` beside the code; no network.
 *  - integration: `*.int-spec.ts` / `*.e2e-spec.ts`; talk to the real MariaDB/MySQL, Redis and Kafka
 *                 that `scripts/infra up` makes reachable (see README "Configuration").
 */
const swc: [string, Record<string, unknown>] = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^@live/(.*)$': '<rootDir>/libs/$1/src' },
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  setupFiles: ['<rootDir>/test/profile-setup.ts'],
};

const config: Config = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.int-spec.ts', '**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/integration-setup.ts'],
      // A Redis Cluster the specs brought up (createTestRedisCluster) goes down after the run.
      globalTeardown: '<rootDir>/test/integration-teardown.ts',
    },
  ],
};

export default config;
