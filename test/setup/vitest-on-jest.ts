/**
 * `zapier-platform scaffold` writes its TypeScript tests against vitest (`import { describe,
 * expect, it } from 'vitest'`). jest maps that import here (jest.config.js, and tsconfig.json's
 * paths for the types), so a scaffolded test runs unchanged in the project's one runner.
 */
export {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  test,
} from '@jest/globals';
