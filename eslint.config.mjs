// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'dist/**', '.bench/**', '**/*.d.ts', 'coverage/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^@cdktf/provider-[a-z]+$', message: 'Import provider classes by deep path (@cdktf/provider-x/lib/<resource>): the package root costs seconds and a gigabyte.' },
          { regex: '^aws-cdk-lib/.*-alpha$|^@aws-cdk/.*-alpha$', message: 'Stable aws-cdk-lib modules only (no *-alpha).' },
        ],
      }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // Integration tests for a real account use the integ-tests assertions (test code only: the
    // library itself stays on stable modules).
    files: ['test/integ/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^@cdktf/provider-[a-z]+$', message: 'Import provider classes by deep path.' },
          { regex: '^aws-cdk-lib/.*-alpha$|^@aws-cdk/(?!integ-tests-alpha$).*-alpha$', message: 'Stable aws-cdk-lib modules only (integ-tests-alpha excepted in test/integ).' },
        ],
      }],
    },
  },
  {
    // cdktf lives only in the Kubernetes layer (and the code that drives it), so that moving to a
    // fork is a rename and the package root never loads it.
    files: ['lib/**/*.ts'],
    ignores: ['lib/kubernetes/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(cdktf|@cdktf/.*)$', message: 'cdktf belongs in lib/kubernetes only.' },
          { regex: '^\\.\\./(?!core/)[a-z]+/private/', message: 'Do not import another capability\'s private helpers.' },
          { regex: '-alpha$', message: 'Stable aws-cdk-lib modules only.' },
        ],
      }],
    },
  },
  {
    // Capabilities may not reach into one another's private helpers.
    files: ['lib/kubernetes/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: '^\\.\\./(?!core/)[a-z]+/private/', message: 'Do not import another capability\'s private helpers.' },
          { regex: '^@cdktf/provider-[a-z]+$', message: 'Import provider classes by deep path.' },
          { regex: '-alpha$', message: 'Stable aws-cdk-lib modules only.' },
        ],
      }],
    },
  },
);
