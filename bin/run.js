#!/usr/bin/env node
// Start-up matters for a command that is run from scripts. Each mechanism below is kept for the CPU time it
// saves, measured by `npm run bench -- --only start-up` (its "without …" rows; Node 20, 2 busy cores, 2026-12-01):
// - `lanmsg --version` / `-v` is answered here without loading @oclif/core, with exactly what oclif prints
//   (its user agent: `lanmsg/<version> <platform>-<arch> node-<version>`). Where oclif might print something
//   else (WSL, which it names 'wsl'; DEBUG output) oclif answers. Saves 28-33 ms of 82-92 ms CPU.
// - Everything else runs from dist/lanmsg.cjs, one file holding @oclif/core and the commands
//   (scripts/bundle-cli.mjs; saves 60-73 ms CPU of a complete announce), compiled with V8's code cache
//   (dist/lanmsg.cjs.cache) when it matches this Node (17-22 ms more; 21-27 for --help). Node 20 has no compile
//   cache of its own (module.enableCompileCache is Node >= 22.1; on 22.23 it saved 11 ms where this one saved 18).
//   The bundle is read in one read and, being ASCII (bundle-cli.mjs), given to V8 as an external Latin-1 string:
//   ~450 fewer page faults and ~4 M fewer instructions than readFileSync(file, 'utf8') (8 KiB reads, heap copy).
//   A missing or rejected cache is written at the exit of the run, when the directory is writable.
//   LANMSG_CODE_CACHE=off neither reads nor writes it; =write rewrites it; =extend rewrites it with what this run
//   compiled too (scripts/train-code-cache.mjs). Without the bundle (a build that stopped after tsc) oclif runs
//   from dist/commands as usual.
// - On load, @oclif/core checks that Node satisfies its own engines field with semver; lanmsg's engines field
//   asks for a newer Node than oclif's, so that check is switched off (3-5 ms CPU).
// - oclif's Config.load asks wsl-utils whether this is WSL, which loads it with child_process and fs/promises and
//   reads /proc/version; where maybeWsl() below (the same tests, stricter) finds no WSL, the bundle's oclif takes
//   the platform as it is instead (scripts/bundle-cli.mjs): ~2 ms CPU.
// - This file is CommonJS (bin/package.json): an ES module entry costs Node's ESM loader, 1-5 ms CPU.
// - A run of one of lanmsg's own commands (its id first; its --help too) loads none of the plugins: they only add
//   commands (help, autocomplete, none under lanmsg's own) and a hook for unknown commands, which such a run
//   cannot reach. Saves ~6 ms CPU (their package.json and manifest, found through node_modules). Such a run lists
//   no commands either, so oclif sorts them by code point, not with localeCompare, whose first call initialises
//   ICU (~6 ms CPU; scripts/bundle-cli.mjs). LANMSG_HOT_PATH=off does neither.
const {isAscii} = require('node:buffer')
const {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} = require('node:fs')
const {createRequire, Module} = require('node:module')
const {dirname, join} = require('node:path')
const {pathToFileURL} = require('node:url')
const vm = require('node:vm')

const argv = process.argv.slice(2)
const root = join(__dirname, '..')

function maybeWsl() {
  if (process.platform !== 'linux') return false
  if (existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') || existsSync('/run/WSL')) return true
  try {
    return readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft')
  } catch {
    return true
  }
}

function writeCodeCache(script, cacheFile) {
  const temporary = `${cacheFile}.${process.pid}.tmp`
  try {
    writeFileSync(temporary, script.createCachedData())
    renameSync(temporary, cacheFile) // atomic: a concurrent run reads the old cache or the new one
  } catch {
    rmSync(temporary, {force: true}) // a read-only install: start-up just stays uncached
  }
}

/**
 * The bundle's text, read in one system call (readFileSync(file, 'utf8') reads 8 KiB at a time: 160 reads). An
 * ASCII bundle (scripts/bundle-cli.mjs makes it so) is decoded as Latin-1, which for text this long Node gives V8
 * as an external one-byte string instead of decoding it onto the heap; anything else as UTF-8.
 */
function readSource(file) {
  const fd = openSync(file, 'r')
  try {
    const buffer = Buffer.allocUnsafe(fstatSync(fd).size)
    let length = 0
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, length)
      if (read === 0) break
      length += read
    }

    const text = buffer.subarray(0, length)
    return isAscii(text) ? text.latin1Slice() : text.toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/** Runs the CommonJS bundle as require() would, with cached code when there is some; undefined without it. */
function loadBundle(file) {
  let source
  try {
    source = readSource(file)
  } catch {
    return undefined
  }

  const cacheFile = `${file}.cache`
  const mode = process.env.LANMSG_CODE_CACHE
  let cachedData
  if (mode !== 'off' && mode !== 'write') {
    try {
      cachedData = readFileSync(cacheFile)
    } catch {}
  }

  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
  })
  // import() cannot run inside vm.Script code on Node 20: the bundle's import() calls come here (bundle-cli.mjs).
  globalThis.__lanmsgImport = (specifier) => import(specifier)
  const require = createRequire(file)
  const module = new Module(file)
  module.filename = file
  module.paths = require.resolve.paths('@oclif/core') ?? []
  script.runInThisContext().call(module.exports, module.exports, require, module, file, dirname(file))
  module.loaded = true
  // oclif loads the commands from the same file (require): it must find this instance, not load a second one.
  require.cache[file] = module
  if (mode === 'extend' || (mode !== 'off' && (cachedData === undefined || script.cachedDataRejected))) {
    process.once('exit', () => writeCodeCache(script, cacheFile))
  }

  return module.exports
}

/**
 * Under coverage (NODE_V8_COVERAGE, set by c8) the bundle is required as a plain module: V8 then reports offsets
 * in the file itself (vm.Script sees it wrapped, 62 characters later) and Node records its source map, so that
 * c8 maps the bundle's coverage back to src/. The code run is the same; only start-up is uncached.
 */
function requireBundle(file) {
  if (!existsSync(file)) return undefined
  globalThis.__lanmsgImport = (specifier) => import(specifier)
  return require(file)
}

/** True for `lanmsg <own command> …`, with or without a help flag: what the plugins cannot take part in. */
function runsOwnCommandOnly(commands) {
  return process.env.LANMSG_HOT_PATH !== 'off' && Object.keys(commands).includes(argv[0])
}

function main() {
  if ((argv[0] === '--version' || argv[0] === '-v') && !process.env.DEBUG && !maybeWsl()) {
    const {name, version} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    const arch = process.arch === 'ia32' ? 'x86' : process.arch
    process.stdout.write(`${name}/${version} ${process.platform}-${arch} node-${process.version}\n`)
    return
  }

  process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
  // For oclif's platform (scripts/bundle-cli.mjs): no WSL here, so wsl-utils need not be loaded to say so.
  globalThis.__lanmsgNotWsl = !maybeWsl()
  const bundle = join(root, 'dist', 'lanmsg.cjs')
  const cli = process.env.NODE_V8_COVERAGE ? requireBundle(bundle) : loadBundle(bundle)
  if (!cli) {
    // The root is given: oclif would otherwise take bin/package.json for the package's.
    return require('@oclif/core').execute({dir: __filename, loadOptions: {root}})
  }

  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  pjson.oclif = {
    ...pjson.oclif,
    commands: {strategy: 'explicit', target: './dist/lanmsg.cjs', identifier: 'COMMANDS'},
  }
  if (runsOwnCommandOnly(cli.COMMANDS)) {
    pjson.oclif.plugins = []
    globalThis.__lanmsgCommandOrder = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  }

  return cli.execute({dir: pathToFileURL(__filename).href, loadOptions: {root, pjson, isRoot: true}})
}

main()
