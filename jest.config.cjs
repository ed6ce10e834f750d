// Sources are ESM TypeScript (NodeNext, `.js` import suffixes). Jest runs them as native ES modules
// (`npm test` sets NODE_OPTIONS=--experimental-vm-modules) after SWC strips the types, so ESM-only
// packages such as the AssemblyScript compiler load in tests as they do in the CLI. The `.js` suffixes are
// mapped back to the `.ts` sources.
module.exports = {
  testEnvironment: '<rootDir>/tests/util/jest-environment.cjs',
  roots: ['<rootDir>'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.cache/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 300000,
  reporters: ['default', '<rootDir>/tests/util/summary-reporter.cjs'],
};
