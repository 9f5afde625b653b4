// ESLint (flat config): correctness rules only — layout is Prettier's job (.prettierrc), so no
// stylistic rule lives here. Type-aware: the TypeScript project service gives the rules the same
// types `tsc` sees (tsconfig.json for .ts, tsconfig.scripts.json for bench/ and scripts/ .mjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      '.cache/**',
      '.vscode-test/**',
      'test-results/**',
      'bases/**',
      'vendor/**',
      'bench/results/**',
      'test/fixtures/**',
      'samples/**',
      'templates/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.mjs'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    plugins: { 'import-x': importX },
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    settings: {
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.mjs', '.js', '.json'] })],
    },
    rules: {
      // A promise nobody awaits loses its error; `void` marks the deliberate fire-and-forget.
      // node:test's test()/describe() return promises the runner itself tracks: safe to drop.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      // Modules that import each other (directly or around a loop) are one module in two files;
      // the layering (docs/ARCHITECTURE.md) wants data to flow one way.
      'import-x/no-cycle': 'error',
      // Off, for reasons: tfjs hands out `any` (getConfig(), layer internals, io artifacts) and the
      // boundaries narrow it with validators (src/protocol/validate.ts, core/experimentValidate.ts);
      // the no-unsafe-* family would flag every one of those reads without finding bugs.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // An `async` function with no `await` still rejects rather than throws, which callers rely
      // on (interfaces with async methods); dropping `async` to please the rule would change that.
      '@typescript-eslint/require-await': 'off',
      // Bad input → one clear line: the engine turns a low-level failure into a message that says
      // what to do, and the low-level error is deliberately not carried along.
      'preserve-caught-error': 'off',
      // Passing on a rejection reason received from elsewhere (an AbortSignal's, a callback's) is fine.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // `_name` says "unused on purpose" (callbacks with a fixed signature).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The plain-JavaScript tools: typed from JSDoc through tsconfig.scripts.json (checkJs), which
    // the project service would not find on its own (it looks for the nearest tsconfig.json).
    files: ['**/*.mjs'],
    languageOptions: {
      parserOptions: { projectService: false, project: './tsconfig.scripts.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // Its types live in the .d.mts beside it (for the .ts tests that import it), which hides the
    // .mjs from the TypeScript program: lint it without types.
    files: ['scripts/webviewBuildOptions.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Tests poke at parsed JSON and tfjs internals, and interpolate arrays into assertion messages.
    files: ['test/**/*.ts', 'test/**/*.mjs'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    files: ['webview/**/*.ts', 'test/webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
