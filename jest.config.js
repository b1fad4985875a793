/**
 * Two projects, both run by `npm test`:
 * - unit: pure rules and parsers (test/domain, test/unit), no servers, seconds; `npm run test:unit`.
 * - stack: real Temporal + PostgreSQL + loopback simulators (see test/support/globalSetup.ts).
 */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  modulePathIgnorePatterns: ['<rootDir>/dist'],
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
      roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/workflows', '<rootDir>/activities'],
      testMatch: ['**/*.spec.ts', '**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/domain/', '<rootDir>/test/unit/'],
      globalSetup: '<rootDir>/test/support/globalSetup.ts',
      globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
    },
  ],
};
