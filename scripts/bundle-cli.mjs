#!/usr/bin/env node
// Part of `npm run build` (after tsc and `oclif manifest`): bundles the command-line interface into
// dist/lanmsg.cjs and writes V8's code cache for it (dist/lanmsg.cjs.cache), which bin/run.js loads.
// `node scripts/bundle-cli.mjs [--out DIR] [--import-wsl-utils] [--eager-oclif] [--locale-order] [--unpatched-help]
// [--wsl-utils-platform] [--keep-non-ascii] [--crypto-task-ids]
// [--async-json-reads]` writes DIR/dist/lanmsg.cjs instead (the start-up benchmark builds its variants without
// one of the measures below). `--announce-alone` writes DIR/dist/announce-alone.cjs from
// bench/support/announce-alone.ts instead, untrained: the benchmark's complete announce without oclif.
//
// Why: a plain start of the built CLI spends most of its time resolving, reading and compiling some 150 modules
// of @oclif/core and its dependencies. One file saves 60-73 ms CPU of a complete announce, its code cache
// 17-22 ms more (bench: start-up, the "without …" rows). CommonJS rather than ESM because Node 20 can only give
// cached code to scripts, and because bin/run.js loads it with require semantics (no export scan of 1 MB).
//
// Left out of the bundle: typescript (oclif requires it only in development mode), @oclif/plugin-help (loaded
// only for `lanmsg help`, from node_modules) and iconv-lite (src/protocol/charset.ts requires it lazily, at
// run time, from node_modules).
import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import * as esbuild from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const {values: options} = parseArgs({
  options: {
    out: {type: 'string'},
    'import-wsl-utils': {type: 'boolean'},
    'eager-oclif': {type: 'boolean'},
    'locale-order': {type: 'boolean'},
    'unpatched-help': {type: 'boolean'},
    'wsl-utils-platform': {type: 'boolean'},
    'keep-non-ascii': {type: 'boolean'},
    'crypto-task-ids': {type: 'boolean'},
    'async-json-reads': {type: 'boolean'},
    'announce-alone': {type: 'boolean'},
  },
})
const outRoot = options.out ? resolve(options.out) : root
const outfile = join(outRoot, 'dist', options['announce-alone'] ? 'announce-alone.cjs' : 'lanmsg.cjs')

// bin/run.js compiles the bundle with vm.Script (for the code cache), where Node 20 cannot run import(): a
// function callback needs --experimental-vm-modules, and vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER is lost
// when the code comes from a cache written by another process (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING). The
// packages' import() calls (oclif loads ESM plugins such as @oclif/plugin-help with one) go through
// __lanmsgImport instead: bin/run.js's own import(), or a plain import() when the bundle is required some other
// way. `"import()"` inside a string is left alone; the build fails if an import() call escaped the rewrite.
//
// Except the packages in BUNDLED_IMPORTS: ESM without top-level await, which esbuild bundles like any other
// module (an import() with a literal name becomes a require of the bundled copy). wsl-utils is imported by
// oclif's Config.load on every run: as a separate ES module it costs 7-10 ms CPU (bench: start-up).
const BUNDLED_IMPORTS = options['import-wsl-utils'] ? [] : ['wsl-utils']
const DYNAMIC_IMPORT = new RegExp(
  String.raw`(?<![\w$.'"\x60])import\((?!(?:${BUNDLED_IMPORTS.map((name) => `"${name}"|'${name}'`).join('|')})\))`,
  'g',
)

// @oclif/core requires every module it might use at the top of each file (its index alone requires help, ejs,
// the parser, ux…): a run pays for the evaluation of modules it never calls. In @oclif/core's compiled files,
// each `const x_1 = require("…")` becomes a getter that requires the module at its first use (TypeScript names
// these bindings `name_N` and reads them only as `x_1.member`), and so do the index's `exports.X =
// __importStar(require("…"))`. The modules, and what they export, stay the same. ~3 ms CPU a run (bench: start-up).
const OCLIF_CORE = /[\\/]node_modules[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/
const TOP_LEVEL_REQUIRE = /^(?:const|var) (\w+_\d+) = ((?:__importDefault\(|__importStar\()?require\("[^"]+"\)\)?);$/gm
const INDEX_REQUIRE = /^exports\.(\w+) = (__importStar\(require\("[^"]+"\)\));$/gm
function lazyRequires(source) {
  const names = []
  let lazy = source.replace(TOP_LEVEL_REQUIRE, (_, name, value) => {
    names.push(name)
    return `let __lazy_${name};\nfunction __get_${name}() { return __lazy_${name} ??= ${value}; }`
  })
  if (names.length > 0) {
    const use = new RegExp(String.raw`(?<![\w$.])(${names.join('|')})(?![\w$])`, 'g')
    lazy = lazy.replace(use, (name) => `(__get_${name}())`) // parenthesized for `new x_1.default()`
  }

  return lazy.replace(
    INDEX_REQUIRE,
    (_, name, value) => `Object.defineProperty(exports, "${name}", { enumerable: true, get: () => ${value} });`,
  )
}

// Plugin.load sorts a plugin's commands with localeCompare, whose first call initialises ICU: ~6 ms CPU. A run of
// one of lanmsg's own commands, where no list of commands is shown, passes a plain order instead (bin/run.js).
const COMMAND_SORT = '.sort((a, b) => a.id.localeCompare(b.id))'
function swappableCommandOrder(source, path) {
  if (!/[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/.test(path)) return source
  if (!source.includes(COMMAND_SORT)) throw new Error(`bundle-cli: ${COMMAND_SORT} not found in ${path}`)
  return source.replace(COMMAND_SORT, '.sort(globalThis.__lanmsgCommandOrder ?? ((a, b) => a.id.localeCompare(b.id)))')
}

// The help's rendering, with the same output (bench: start-up; test/cli/help-rendering.test.ts compares it with
// oclif's at several widths). oclif's help renders every text through ejs.render, which compiles each one (~5 ms
// CPU of `announce --help`): src/ui/help-template.ts renders the plain texts and simple tags first, as ejs would.
const EJS_RENDER = 'return ejs_1.default.render(t, context);'
function plainHelpTemplates(source, path) {
  if (!/[\\/]@oclif[\\/]core[\\/]lib[\\/]help[\\/]util\.js$/.test(path)) return source
  if (!source.includes(EJS_RENDER)) throw new Error(`bundle-cli: ${EJS_RENDER} not found in ${path}`)
  const module = JSON.stringify(join(root, 'src', 'ui', 'help-template.ts'))
  return `const __lanmsgHelpTemplate = require(${module});\n${source.replace(
    EJS_RENDER,
    'return __lanmsgHelpTemplate.renderPlainTemplate(t, context) ?? ejs_1.default.render(t, context);',
  )}`
}

// wrap-ansi measures every word with string-width (strip ANSI codes, replace emoji, then each code point) and
// copies its result character by character looking for escape codes. A string of printable ASCII is as wide as
// it is long (checked for every such string up to 3 characters), and a result without escape codes is copied as
// it is: both answered at once.
const WRAP_COPY = String.raw`const pre = [...rows.join('\n')];`
function asciiFastPaths(source, path) {
  if (/[\\/]node_modules[\\/]string-width[\\/]index\.js$/.test(path)) {
    return `${source}\nconst __lanmsgStringWidth = module.exports;
module.exports = (string) => typeof string === 'string' && /^[\\x20-\\x7E]*$/.test(string) ? string.length : __lanmsgStringWidth(string);
module.exports.default = module.exports;\n`
  }

  if (!/[\\/]node_modules[\\/]wrap-ansi[\\/]index\.js$/.test(path)) return source
  if (!source.includes(WRAP_COPY)) throw new Error(`bundle-cli: ${WRAP_COPY} not found in ${path}`)
  return source.replace(
    WRAP_COPY,
    "const joined = rows.join('\\n');\n\tif (!/[\\u001B\\u009B]/.test(joined)) return joined;\n\tconst pre = [...joined];",
  )
}

// oclif's getPlatform loads wsl-utils to learn whether this is WSL; bin/run.js has answered that already when it
// sets __lanmsgNotWsl (the same tests as is-wsl, stricter: WSL whenever it cannot tell).
const GET_PLATFORM = "return (await import('wsl-utils')).isWsl ? 'wsl' : (0, node_os_1.platform)();"
function platformWithoutWslUtils(source, path) {
  if (!/[\\/]@oclif[\\/]core[\\/]lib[\\/]util[\\/]os\.js$/.test(path)) return source
  if (!source.includes(GET_PLATFORM)) throw new Error(`bundle-cli: ${GET_PLATFORM} not found in ${path}`)
  return source.replace(
    GET_PLATFORM,
    `if (globalThis.__lanmsgNotWsl) return (0, node_os_1.platform)();\n    ${GET_PLATFORM}`,
  )
}

// listr2 imports node:crypto on load, for randomUUID() as the id of each task, which only has to be unique in the
// process (its renderers key their caches with it). Loading node:crypto costs a complete announce ~16 M
// instructions; a counter does instead (bench: start-up; lanmsg's own random bytes come from random-fill.ts).
const LISTR2_CRYPTO = 'import { randomUUID } from "crypto";'
function listr2TaskIds(source, path) {
  if (!/[\\/]node_modules[\\/]listr2[\\/]dist[\\/]index\.js$/.test(path)) return source
  if (!source.includes(LISTR2_CRYPTO)) throw new Error(`bundle-cli: ${LISTR2_CRYPTO} not found in ${path}`)
  return source.replace(
    LISTR2_CRYPTO,
    "let __lanmsgTaskIds = 0;\nconst randomUUID = () => 'lanmsg-task-' + ++__lanmsgTaskIds;",
  )
}

// oclif reads its JSON files (the manifest on every run) with fs/promises' readFile: loading fs/promises (with the
// readline and file-watching modules it requires) costs more than the read. readFileSync reads the same text and
// throws the same errors, which the async function turns into the same rejection (bench: start-up).
const OCLIF_READ_JSON = "const contents = await (0, promises_1.readFile)(path, 'utf8');"
function syncJsonReads(source, path) {
  if (!/[\\/]@oclif[\\/]core[\\/]lib[\\/]util[\\/]fs\.js$/.test(path)) return source
  if (!source.includes(OCLIF_READ_JSON)) throw new Error(`bundle-cli: ${OCLIF_READ_JSON} not found in ${path}`)
  return source.replace(OCLIF_READ_JSON, "const contents = (0, node_fs_1.readFileSync)(path, 'utf8');")
}

const routeDynamicImports = {
  name: 'route-dynamic-imports',
  setup(build) {
    build.onLoad({filter: /[\\/]node_modules[\\/].*\.c?js$/}, (args) => {
      let source = readFileSync(args.path, 'utf8')
      const original = source
      if (!options['wsl-utils-platform']) source = platformWithoutWslUtils(source, args.path)
      if (!options['unpatched-help']) source = asciiFastPaths(plainHelpTemplates(source, args.path), args.path)
      if (!options['async-json-reads']) source = syncJsonReads(source, args.path)
      if (!options['eager-oclif'] && OCLIF_CORE.test(args.path)) source = lazyRequires(source)
      if (!options['locale-order']) source = swappableCommandOrder(source, args.path)
      if (!options['crypto-task-ids']) source = listr2TaskIds(source, args.path)
      if (source.includes('import(')) source = source.replace(DYNAMIC_IMPORT, '__lanmsgImport(')
      return source === original ? undefined : {contents: source, loader: 'js'}
    })
  },
}

await esbuild.build({
  absWorkingDir: root,
  entryPoints: [options['announce-alone'] ? 'bench/support/announce-alone.ts' : 'src/main.ts'],
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

// One character above U+00FF anywhere (an en dash in a comment) makes V8 hold the whole 1.3 MB source as UTF-16,
// and a character above U+007F takes Node's UTF-8 decoding off its ASCII fast path: the bundle is made ASCII
// (bench: start-up, "without …" row). esbuild escapes strings already. On a line that is all comment, a character
// gets an ASCII stand-in of the same length (the source map's columns stay right); anywhere else (a regular
// expression, the end of a line after code) the same character as an escape, which in a comment is harmless.
const COMMENT_STAND_INS = {'\u2013': '-', '\u2014': '-', '\u00A7': 'S', '\u00B5': 'u', '\u2026': '.'}
const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*)/
function asciiBundle(source) {
  return source.replace(/[^\n\u0000-\u007F]+/g, (text, offset) => {
    if (COMMENT_LINE.test(source.slice(source.lastIndexOf('\n', offset) + 1, offset))) {
      return text.replace(/[^]/g, (c) => COMMENT_STAND_INS[c] ?? '?')
    }

    return text.replace(/[^]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) // each UTF-16 unit
  })
}

if (!options['keep-non-ascii']) writeFileSync(outfile, asciiBundle(readFileSync(outfile, 'utf8')))

// An import() left in the bundle would fail only at run time, on the path that reaches it.
const unrouted = readFileSync(outfile, 'utf8')
  .split('\n')
  .slice(2) // the banner's own fallback
  .filter((line) => /(?<![\w$.'"\u0060])import\(/.test(line))
if (unrouted.length > 0) {
  console.error(`bundle-cli: import() not routed through __lanmsgImport:\n${unrouted.join('\n').slice(0, 2000)}`)
  process.exit(1)
}

// The code cache (see train-code-cache.mjs); the benchmark's floor bundle writes its own at its first run.
if (options['announce-alone']) process.exit(0)
const training = spawnSync(process.execPath, [`${root}scripts/train-code-cache.mjs`, outRoot], {stdio: 'inherit'})
if (training.status !== 0) process.exit(1)
