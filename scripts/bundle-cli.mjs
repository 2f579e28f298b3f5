#!/usr/bin/env node
// Part of `npm run build` (after tsc and `oclif manifest`): bundles the command-line interface into
// dist/lanmsg.cjs and writes V8's code cache for it (dist/lanmsg.cjs.cache), which bin/run.js loads.
//
// Why: a plain start of the built CLI spends most of its time resolving, reading and compiling some 150 modules
// of @oclif/core and its dependencies. One CommonJS file, loaded through vm.Script with a code cache, starts
// announce in about half the time (bench: start-up). CommonJS rather than ESM because Node 20 can only give
// cached code to scripts, and because bin/run.js loads it with require semantics (no export scan of 1 MB).
//
// Left out of the bundle: typescript (oclif requires it only in development mode), @oclif/plugin-help (loaded
// only for `lanmsg help`, from node_modules) and iconv-lite (src/protocol/charset.ts requires it lazily, at
// run time, from node_modules).
import {spawnSync} from 'node:child_process'
import {readFileSync, rmSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import * as esbuild from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const outfile = `${root}dist/lanmsg.cjs`

// bin/run.js compiles the bundle with vm.Script, where Node 20 cannot run import() (it needs a callback that it
// drops with cached code, or --experimental-vm-modules). The packages' import() calls (oclif loads ESM plugins
// such as @oclif/plugin-help with one) go through __lanmsgImport instead: bin/run.js's own import(), or a plain
// import() when the bundle is required some other way. `"import()"` inside a string is left alone.
const DYNAMIC_IMPORT = /(?<![\w$.'"`])import\(/g
const routeDynamicImports = {
  name: 'route-dynamic-imports',
  setup(build) {
    build.onLoad({filter: /[\\/]node_modules[\\/].*\.c?js$/}, (args) => {
      const source = readFileSync(args.path, 'utf8')
      return source.includes('import(')
        ? {contents: source.replace(DYNAMIC_IMPORT, '__lanmsgImport('), loader: 'js'}
        : undefined
    })
  },
}

await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['typescript', '@oclif/plugin-help'],
  // The sources are ESM and use import.meta.url (createRequire); in a CommonJS file it is the file's own URL.
  define: {'import.meta.url': '__lanmsgBundleUrl'},
  banner: {
    js: [
      "const __lanmsgBundleUrl = require('node:url').pathToFileURL(__filename).href;",
      'const __lanmsgImport = (specifier) => (globalThis.__lanmsgImport ?? ((s) => import(s)))(specifier);',
    ].join('\n'),
  },
  plugins: [routeDynamicImports],
  sourcemap: true,
  logLevel: 'warning',
})

// The code cache: bin/run.js writes it when it is missing (or when V8 rejects it: another Node version), at the
// exit of that run, with every function compiled so far. A help run compiles oclif's start-up path, the
// parser and the command's class without touching the network.
rmSync(`${outfile}.cache`, {force: true})
const training = spawnSync(process.execPath, [`${root}bin/run.js`, 'announce', '--help'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {...process.env, LANMSG_CODE_CACHE: 'write'},
})
if (training.status !== 0) {
  console.error(`bundle-cli: \`lanmsg announce --help\` failed (exit ${training.status}); the bundle is broken`)
  process.exit(1)
}
