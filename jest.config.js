/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // Template.fromStack and synth leave cloud assemblies in the temp dir; .ci/run points TMPDIR at its own folder.
  maxWorkers: 2,
};
