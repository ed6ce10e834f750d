// TypeScript sources are ESM (NodeNext, `.js` import suffixes); jest runs them through SWC as CommonJS,
// which is why `.js` suffixes are mapped away below. Sources avoid import.meta for the same reason.
module.exports = {
  testEnvironment: '<rootDir>/tests/util/jest-environment.cjs',
  roots: ['<rootDir>'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 300000,
  reporters: ['default', '<rootDir>/tests/util/summary-reporter.cjs'],
};
