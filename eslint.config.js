import oclif from 'eslint-config-oclif'
import prettier from 'eslint-config-prettier'

export default [
  {ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'bench/results/**', 'oclif.manifest.json']},
  ...oclif,
  prettier,
  {
    rules: {
      // Size and shape: warnings, so that each exception is written next to the code it excuses
      // (`// eslint-disable-next-line <rule> -- <why>`); `npm run lint` allows no unexplained warning.
      complexity: ['warn', 20],
      'max-lines-per-function': ['warn', {max: 60, skipBlankLines: true, skipComments: true}],
      'max-params': ['warn', 4],

      // Sorting every key and import alphabetically fights the protocol's own order (tables follow the spec).
      'perfectionist/sort-objects': 'off',
      'perfectionist/sort-object-types': 'off',
      'perfectionist/sort-interfaces': 'off',
      'perfectionist/sort-classes': 'off',
      'perfectionist/sort-switch-case': 'off',
      'perfectionist/sort-union-types': 'off',
      'perfectionist/sort-named-imports': 'off',
      'perfectionist/sort-imports': 'off',
      'perfectionist/sort-maps': 'off',
      'perfectionist/sort-sets': 'off',
      'perfectionist/sort-array-includes': 'off',
      'perfectionist/sort-intersection-types': 'off',
      'perfectionist/sort-exports': 'off',
      'perfectionist/sort-named-exports': 'off',
      // Byte-level code: bit operations, `| 0`/`>>> 0` for 32-bit integers, charCodeAt for UTF-16 code units and
      // bytes (not code points), lowercase hex and numbers written as the spec writes them (0x00000100).
      'no-bitwise': 'off',
      'unicorn/prefer-math-trunc': 'off',
      'unicorn/prefer-code-point': 'off',
      'unicorn/numeric-separators-style': 'off',
      'unicorn/text-encoding-identifier-case': 'off',
      // Index loops over bytes in the decoder's hot path (header.ts): for-of over entries() allocates.
      'unicorn/no-for-loop': 'off',
      // Terminal safety is made of regular expressions over control characters.
      'no-control-regex': 'off',
      // A CLI and its build scripts end with an exit code on purpose.
      'unicorn/no-process-exit': 'off',
      'n/no-process-exit': 'off',
      // Node's EventEmitter is the API Node users expect from a socket-like object; EventTarget is not.
      'unicorn/prefer-event-target': 'off',
      // Sequential sends, rounds and retries wait on purpose (and so do tests, step by step).
      'no-await-in-loop': 'off',
      // `new Promise((resolve) => setTimeout(resolve, ms))` and the like return what they schedule; harmless.
      'no-promise-executor-return': 'off',
      // Small closures next to their only use read better than hoisted helpers.
      'unicorn/consistent-function-scoping': 'off',
      // `x ?? undefined`, `return undefined` in a function typed `T | undefined`: said on purpose.
      'unicorn/no-useless-undefined': 'off',
      // `(count += 1)` in an arrow body, counters in callbacks.
      'no-return-assign': 'off',
      // reduce() for a minimum or maximum reads fine.
      'unicorn/no-array-reduce': 'off',
      // forEach with an index in tests; replace(/…/g) where the pattern is a regular expression anyway.
      'unicorn/no-array-for-each': 'off',
      'unicorn/prefer-string-replace-all': 'off',
      // Its fix merges pushes where the second reads what the first pushed (a different result).
      'unicorn/no-array-push-push': 'off',
      // Names from outside: iptux's configuration keys, charset names (gb18030_2000).
      camelcase: 'off',
      // Flags fs.cpSync (experimental on Node 20, used only by the benchmarks and tests).
      'n/no-unsupported-features/node-builtins': 'off',
      // Type-level escape hatches in tests and the native addon's boundary.
      '@typescript-eslint/no-explicit-any': 'off',
      // `import ip from 'ip'` then ip.toLong(): CommonJS packages have no named exports to import instead.
      'import/no-named-as-default-member': 'off',
      // Test files: a second top-level suite for failure behaviour, and the project's own spacing of blocks.
      'mocha/max-top-level-suites': 'off',
      'mocha/consistent-spacing-between-blocks': 'off',
      // False positives: session.filter(datagram) is not Array#filter, listr2's task.skip() is not mocha's.
      'unicorn/no-array-callback-reference': 'off',
      'mocha/no-empty-description': 'off',
    },
  },
  {
    // bin/ is CommonJS (bin/package.json): an ES module entry costs Node's ESM loader at every start.
    files: ['bin/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {require: 'readonly', __dirname: 'readonly', __filename: 'readonly'},
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      'unicorn/prefer-module': 'off',
      // A CommonJS file's top level is its module scope, not the global one.
      'no-implicit-globals': 'off',
      // bin/package.json holds only the module type; the dependencies are the root package's.
      'n/no-extraneous-require': 'off',
    },
  },
  {
    // A describe() callback is a list of it()s, not one function to read: length is judged per it().
    files: ['test/**/*.test.ts'],
    rules: {'max-lines-per-function': 'off'},
  },
]
