/**
 * Two projects, both run by `npm test`:
 * - unit: pure rules and parsers (test/domain, test/unit), no servers, seconds; `npm run test:unit`.
 * - stack: real Temporal + PostgreSQL + loopback simulators (see test/support/globalSetup.ts).
 */
const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
    // ESM-only packages the api requires (@fastify/swagger-ui → @fastify/static → content-disposition 3): Node 24
    // requires them natively, Jest's module system cannot, so they are compiled to CommonJS for the tests.
    '/node_modules/content-disposition/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/simulators/dist'],
  // The simulators package from its TypeScript sources: no build needed before a test run.
  moduleNameMapper: { '^@ghl-whatsapp/simulators$': '<rootDir>/simulators/src/index.ts' },
};
const UNIT = ['<rootDir>/test/domain/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'];

module.exports = {
  testTimeout: 120_000,
  maxWorkers: 2,
  // A leaked handle after a failed test must not hang CI.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
  projects: [
    { ...shared, displayName: 'unit', testMatch: UNIT },
    {
      ...shared,
      displayName: 'stack',
      roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/workflows', '<rootDir>/activities', '<rootDir>/simulators/src', '<rootDir>/simulators/test'],
      testMatch: ['**/*.spec.ts', '**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/domain/', '<rootDir>/test/unit/'],
      globalSetup: '<rootDir>/test/support/globalSetup.ts',
      globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
    },
  ],
};
