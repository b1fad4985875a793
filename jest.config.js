/** Real Temporal + PostgreSQL + loopback simulators; see test/support/globalSetup.ts. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/workflows', '<rootDir>/activities'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
    // ESM-only packages the api requires (@fastify/swagger-ui → @fastify/static → content-disposition 3): Node 24
    // requires them natively, Jest's module system cannot, so they are compiled to CommonJS for the tests.
    '/node_modules/content-disposition/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  modulePathIgnorePatterns: ['<rootDir>/dist'],
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  testTimeout: 120_000,
  maxWorkers: 2,
  // A leaked handle after a failed test must not hang CI.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
};
