// @ts-check
import tseslint from 'typescript-eslint';

/** Node built-ins a workflow must not import: workflow code runs in Temporal's deterministic sandbox. */
const NODE_BUILTINS = ['assert', 'buffer', 'child_process', 'crypto', 'dns', 'events', 'fs', 'http', 'https', 'net', 'os', 'path', 'process', 'stream', 'timers', 'tls', 'url', 'util', 'worker_threads', 'zlib'];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'simulators/dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Contract tests read arbitrary JSON answers.
    files: ['test/**/*.ts', 'simulators/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Determinism: no Node built-ins, no activity implementations, no timers or I/O outside the SDK's (Date and
    // Math.random are made replay-safe by the SDK's sandbox).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.flatMap((name) => [name, `node:${name}`]).map((name) => ({ name, message: 'workflow code runs in a deterministic sandbox: no Node built-ins' })),
          patterns: [
            { group: ['**/activities', '**/activities/*'], allowTypeImports: true, message: 'workflows import activities as types only (proxyActivities)' },
            { group: ['**/src/providers/**', '**/src/store/**', '**/src/db/**', '**/src/http/**'], allowTypeImports: true, message: 'workflows do no I/O: call an activity' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: "use the workflow's sleep()" }, { name: 'setInterval', message: "use the workflow's sleep() in a loop" }, { name: 'fetch', message: 'workflows do no I/O: call an activity' }],
    },
  },
);
