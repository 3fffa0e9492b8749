// The test runner. TypeScript goes through SWC (types are checked by `npm run typecheck`, not
// here); JavaScript tests run as they are. Tests live in test/, and in src/test/, where
// `zapier-platform scaffold` writes the tests of what it generates.
const swc = ['@swc/jest', { jsc: { target: 'es2023' }, module: { type: 'commonjs' } }];

/**
 * Packages published only as ES modules, which jest's CommonJS loader cannot require on Node 22:
 * they are compiled like our own code. json-schema-faker (the fuzz suite's generator) also has an
 * `import`-only export map, so it is mapped to its file; cookie 2 comes with fastify's inject.
 */
const esmOnly = ['json-schema-faker', 'cookie'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/setup/environment.ts',
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testMatch: ['**/*.test.ts', '**/*.test.js'],
  transform: {
    '^.+\\.ts$': [swc[0], { ...swc[1], jsc: { ...swc[1].jsc, parser: { syntax: 'typescript' } } }],
    [`/node_modules/(${esmOnly.join('|')})/.+\\.m?js$`]: swc,
  },
  moduleNameMapper: {
    '^json-schema-faker$': '<rootDir>/node_modules/json-schema-faker/dist/index.js',
    // scaffold's TypeScript tests import vitest; src/index.ts imports what scaffold adds as './x.js'.
    '^vitest$': '<rootDir>/test/setup/vitest-on-jest.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Deep equality across V8 realms: see the file.
    '^node:assert/strict$': '<rootDir>/test/helpers/realm-safe-assert.ts',
  },
  transformIgnorePatterns: [`^(?!.*/node_modules/(${esmOnly.join('|')})/).*/node_modules/`],
  globalSetup: '<rootDir>/test/setup/build-first.ts',
  setupFiles: ['<rootDir>/test/setup/pristine-http.ts', '<rootDir>/test/setup/loopback-only.ts'],
  // jest's default leaves a core to its own process, which mostly waits: on 2 cores one worker
  // took 93 s, two 50 s, three 62 s. The tests mostly wait on sockets and child processes.
  maxWorkers: '100%',
  // Every test is bounded; a case that needs longer says so itself.
  testTimeout: 120_000,
  reporters: [
    'default',
    [
      'jest-junit',
      { outputDirectory: 'reports', outputName: 'junit.xml', addFileAttribute: 'true' },
    ],
  ],
};
