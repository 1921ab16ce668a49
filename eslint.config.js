// ESLint (flat config) for the TypeScript and JavaScript of src/, test/, bench/, fixtures/ and scripts/.
// `npm run lint`. Rules that find bugs, not style: ESLint's recommended set and typescript-eslint's
// recommended type-checked set (floating and misused promises, '[object Object]' in strings, throwing
// non-Errors, ...), without the rules that only flag `any` flowing around (tests and JSON readers handle
// untyped data on purpose), `require-await` (tap's async test callbacks) and redundant type assertions.
// No formatting rules.
// Type information comes from tsconfig.check.json (TypeScript) and tsconfig.check-js.json (JavaScript),
// the programs `npm run typecheck` checks.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'native/**', 'fixtures/captures/**', 'fixtures/found/**', 'fixtures/zeek-http/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        project: ['./tsconfig.check.json', './tsconfig.check-js.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tap queues `t.test()` subtests itself: its promise needs no await.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: '@tapjs/test', name: ['test', 'skip', 'todo', 'only'] }],
      }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // a `let` assigned once but read earlier by a closure (a timer cleared by a callback) stays a `let`
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
);
