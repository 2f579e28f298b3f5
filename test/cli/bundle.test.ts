// The command-line bundle (dist/lanmsg.cjs, scripts/bundle-cli.mjs) and how bin/run.js loads it with V8's code
// cache. Each test runs a copy of the built package in a temporary directory (bin/, dist/, package.json, the
// manifest; node_modules linked), so that it can delete or spoil files. No test here opens a socket.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {COMMANDS} from '../../src/main.js'
import {REPO} from '../support/cli-bin.js'
import {guardedEnv} from '../support/send-guard.js'

function copyOfPackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanmsg-bundle-'))
  for (const entry of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) {
    cpSync(join(REPO, entry), join(dir, entry), {recursive: true})
  }

  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

/** node_modules of links to the repository's, without the named package (a plugin that cannot be loaded). */
function linkModulesWithout(dir: string, missing: string): void {
  const modules = join(dir, 'node_modules')
  rmSync(modules, {force: true})
  for (const scope of ['', '@oclif']) {
    mkdirSync(join(modules, scope), {recursive: true})
    for (const entry of readdirSync(join(REPO, 'node_modules', scope))) {
      const name = scope ? `${scope}/${entry}` : entry
      if (name !== missing && name !== '@oclif') symlinkSync(join(REPO, 'node_modules', name), join(modules, name))
    }
  }
}

function run(dir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [join(dir, 'bin', 'run.js'), ...args], {
    // Without NODE_V8_COVERAGE (c8 sets it): under coverage bin/run.js skips the code cache that these tests check.
    env: guardedEnv({NO_COLOR: '1', NODE_V8_COVERAGE: undefined, ...env}),
    encoding: 'utf8',
    timeout: 30_000,
  })
  return {code: result.status, stdout: result.stdout, stderr: result.stderr}
}

describe('command-line bundle', () => {
  let dir: string
  let cache: string

  beforeEach(() => {
    dir = copyOfPackage()
    cache = join(dir, 'dist', 'lanmsg.cjs.cache')
  })

  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('registers every command of src/commands in COMMANDS', () => {
    const files = readdirSync(join(REPO, 'src', 'commands'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
    expect(Object.keys(COMMANDS).sort()).to.deep.equal(files.sort())
  })

  it('bundles wsl-utils, which oclif imports on every run, instead of importing it as an ES module', () => {
    const bundle = readFileSync(join(dir, 'dist', 'lanmsg.cjs'), 'utf8')
    expect(bundle).to.include('node_modules/wsl-utils/index.js')
    expect(bundle).not.to.match(/__lanmsgImport\(["']wsl-utils["']\)/)
    expect(bundle).to.match(/__lanmsgImport\(["']log-update["']\)/) // other import()s still take the route
  })

  it('is ASCII, as the unchanged bundle with only its comments and escapes rewritten (one-byte source for V8)', function () {
    this.timeout(120_000) // esbuild and the cache's training run, on a busy machine
    const bundle = readFileSync(join(dir, 'dist', 'lanmsg.cjs'), 'utf8')
    expect(bundle.match(/[^\u0000-\u007F]/g) ?? [], 'characters beyond ASCII').to.deep.equal([])
    const build = spawnSync(
      process.execPath,
      [join(REPO, 'scripts', 'bundle-cli.mjs'), '--out', dir, '--keep-non-ascii'],
      {encoding: 'utf8', env: guardedEnv({NODE_V8_COVERAGE: undefined}), timeout: 110_000},
    )
    expect(build.status, build.stderr).to.equal(0)
    const kept = readFileSync(join(dir, 'dist', 'lanmsg.cjs'), 'utf8').split('\n')
    const lines = bundle.split('\n')
    expect(lines.length).to.equal(kept.length)
    const changed = lines.flatMap((line, i) => (line === kept[i] ? [] : [[line, kept[i]]]))
    expect(changed.length, 'lines rewritten (the build has non-ASCII comments and one regular expression)').to.be.above(
      3,
    )
    for (const [line, original] of changed) {
      const unescaped = line.replaceAll(/\\u([\da-f]{4})/g, (_, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      )
      // An escape stands for the same character; a line of comment keeps its length (the source map's columns hold).
      if (unescaped !== original) {
        expect(line, 'rewritten other than by escapes: a line of comment').to.match(/^\s*(?:\/\/|\/\*|\*)/)
        expect(line.length, `${original}\n${line}`).to.equal(original.length)
      }
    }
  })

  it('reads the bundle in one read, not with readFileSync (8 KiB reads), and runs it', () => {
    const spy = join(dir, 'spy.cjs')
    writeFileSync(
      spy,
      `const fs = require('node:fs')
let reads = 0, utf8 = 0
const {readSync, readFileSync} = fs
fs.readSync = function (fd, ...rest) { if (fs.__bundleFd === fd) reads++; return readSync.call(this, fd, ...rest) }
fs.readFileSync = function (path, ...rest) { if (String(path).endsWith('lanmsg.cjs')) utf8++; return readFileSync.call(this, path, ...rest) }
const {openSync} = fs
fs.openSync = function (path, ...rest) { const fd = openSync.call(this, path, ...rest); if (String(path).endsWith('lanmsg.cjs')) fs.__bundleFd = fd; return fd }
const {closeSync} = fs
fs.closeSync = function (fd) { if (fs.__bundleFd === fd) fs.__bundleFd = undefined; return closeSync.call(this, fd) }
process.on('exit', () => process.stderr.write('BUNDLE-READS ' + reads + ' ' + utf8 + '\\n'))
`,
    )
    const result = spawnSync(process.execPath, ['--require', spy, join(dir, 'bin', 'run.js'), 'announce', '--help'], {
      env: guardedEnv({NO_COLOR: '1', NODE_V8_COVERAGE: undefined}),
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(result.status, result.stderr).to.equal(0)
    expect(result.stdout).to.include('$ lanmsg announce')
    expect(result.stderr).to.include('BUNDLE-READS 1 0')
  })

  it('builds the benchmark variant that imports wsl-utils into another directory (bundle-cli.mjs --out)', function () {
    this.timeout(120_000) // esbuild and the cache's training run, on a busy machine
    rmSync(join(dir, 'dist', 'lanmsg.cjs'))
    rmSync(cache)
    const build = spawnSync(
      process.execPath,
      [join(REPO, 'scripts', 'bundle-cli.mjs'), '--out', dir, '--import-wsl-utils'],
      // Without NODE_V8_COVERAGE: under coverage the training run would skip the code cache this test checks.
      {encoding: 'utf8', env: guardedEnv({NODE_V8_COVERAGE: undefined}), timeout: 110_000},
    )
    expect(build.status, build.stderr).to.equal(0)
    const bundle = readFileSync(join(dir, 'dist', 'lanmsg.cjs'), 'utf8')
    expect(bundle).to.match(/__lanmsgImport\(["']wsl-utils["']\)/)
    expect(bundle).not.to.include('node_modules/wsl-utils/index.js')
    expect(statSync(cache).size).to.be.greaterThan(10_000) // trained for the copy
    const help = run(dir, ['announce', '--help'])
    expect(help.code, help.stderr).to.equal(0)
    expect(help.stdout).to.include('$ lanmsg announce')
  })

  it('runs the commands from dist/lanmsg.cjs alone (dist/commands deleted)', () => {
    rmSync(join(dir, 'dist', 'commands'), {recursive: true})
    const help = run(dir, ['announce', '--help'])
    expect(help.code, help.stderr).to.equal(0)
    expect(help.stdout).to.include('USAGE').and.include('$ lanmsg announce')
    const mistake = run(dir, ['listen', '--port', 'abc'])
    expect(mistake.code).to.equal(2)
    expect(mistake.stderr).to.match(/port/i)
    expect(mistake.stderr).not.to.match(/\n\s+at /) // no stack trace
  })

  it('falls back to oclif and dist/commands when the bundle is missing', () => {
    rmSync(join(dir, 'dist', 'lanmsg.cjs'))
    const help = run(dir, ['listen', '--help'])
    expect(help.code, help.stderr).to.equal(0)
    expect(help.stdout).to.include('$ lanmsg listen')
  })

  it('loads `lanmsg help`, an ESM plugin, through the import() route of the bundle', () => {
    for (const env of [{}, {LANMSG_CODE_CACHE: 'off'}]) {
      const help = run(dir, ['help', 'announce'], env)
      expect(help.code, help.stderr).to.equal(0)
      expect(help.stdout).to.include('$ lanmsg announce')
    }
  })

  it('writes the code cache when it is missing, then uses it without writing it again', () => {
    rmSync(cache)
    const first = run(dir, ['announce', '--help'])
    expect(first.code).to.equal(0)
    expect(existsSync(cache)).to.equal(true)
    const {mtimeMs: written, size} = statSync(cache)
    expect(size).to.be.greaterThan(10_000)
    const second = run(dir, ['announce', '--help'])
    expect(second.stdout).to.equal(first.stdout)
    expect(statSync(cache).mtimeMs).to.equal(written)
    expect(readdirSync(join(dir, 'dist')).filter((f) => f.endsWith('.tmp'))).to.deep.equal([])
  })

  it('replaces a spoiled code cache and prints the same output', () => {
    const expected = run(dir, ['listen', '--help']).stdout
    writeFileSync(cache, Buffer.alloc(4096, 0x5a))
    const spoiled = run(dir, ['listen', '--help'])
    expect(spoiled.code).to.equal(0)
    expect(spoiled.stdout).to.equal(expected)
    expect(readFileSync(cache).subarray(0, 16)).not.to.deep.equal(Buffer.alloc(16, 0x5a))
  })

  it('under coverage (NODE_V8_COVERAGE), V8 reports the bundle at offsets of the file itself, with its source map', () => {
    const coverageDir = join(dir, 'v8-coverage')
    const result = run(dir, ['announce', '--help'], {NODE_V8_COVERAGE: coverageDir})
    expect(result.code, result.stderr).to.equal(0)
    const bundle = join(dir, 'dist', 'lanmsg.cjs')
    const url = `file://${bundle}`
    const reports = readdirSync(coverageDir).map((file) => JSON.parse(readFileSync(join(coverageDir, file), 'utf8')))
    // Compiled with the code cache, V8 names the script where the cache was made (the repository's dist/).
    const ofBundle = (script: {url: string}) => script.url.endsWith('/dist/lanmsg.cjs')
    const report = reports.find((r) => r.result.some(ofBundle))
    expect(report, 'a coverage report of the bundle').not.to.equal(undefined)
    // c8 maps the bundle to src/ with this map, at these offsets (compiled wrapped, they were 62 characters off).
    const source = readFileSync(bundle, 'utf8')
    type ScriptCoverage = {url: string; functions: Array<{functionName: string; ranges: Array<{startOffset: number}>}>}
    const {functions} = (report.result as ScriptCoverage[]).find(ofBundle)!
    const declaredThere = functions.filter(({functionName: name, ranges: [{startOffset: at}]}) =>
      [`function ${name}(`, `async function ${name}(`, `function* ${name}(`].some((text) =>
        source.startsWith(text, at),
      ),
    )
    expect(declaredThere.length).to.be.greaterThan(100)
    const sources: string[] = report['source-map-cache']?.[url]?.data?.sources ?? []
    expect(sources.some((path) => path.endsWith('/src/commands/announce.ts'))).to.equal(true)
  })

  it('starts as CommonJS: Node loads no ES module loader for bin/run.js', () => {
    // Without the send guard, which is itself an ES module (--import); neither command can open a socket.
    const preload = join(dir, 'report-esm.cjs')
    writeFileSync(
      preload,
      "const loaded = () => process.moduleLoadList.includes('NativeModule internal/modules/esm/module_job')\n" +
        String.raw`process.on('exit', () => process.stderr.write('ESM loader: ' + loaded() + '\n'))`,
    )
    for (const args of [['--version'], ['announce', '--help']]) {
      const result = spawnSync(process.execPath, ['--require', preload, join(dir, 'bin', 'run.js'), ...args], {
        env: {...process.env, NO_COLOR: '1', NODE_OPTIONS: undefined, NODE_V8_COVERAGE: undefined},
        encoding: 'utf8',
        timeout: 30_000,
      })
      expect(result.status, result.stderr).to.equal(0)
      expect(result.stderr).to.equal('ESM loader: false\n')
    }
  })

  it("takes oclif's platform without loading wsl-utils (and child_process with it) where this is not WSL", function () {
    if (readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft')) this.skip() // WSL: it must load
    // Without the send guard (an ES module loaded by --import): help opens no socket.
    const preload = join(dir, 'report-child-process.cjs')
    writeFileSync(
      preload,
      "const loaded = () => process.moduleLoadList.includes('NativeModule child_process')\n" +
        String.raw`process.on('exit', () => process.stderr.write('child_process: ' + loaded() + '\n'))`,
    )
    const result = spawnSync(
      process.execPath,
      ['--require', preload, join(dir, 'bin', 'run.js'), 'announce', '--help'],
      {
        env: {...process.env, NO_COLOR: '1', NODE_OPTIONS: undefined, NODE_V8_COVERAGE: undefined},
        encoding: 'utf8',
        timeout: 30_000,
      },
    )
    expect(result.status, result.stderr).to.equal(0)
    expect(result.stderr).to.equal('child_process: false\n')
  })

  it("loads no plugin for a run of lanmsg's own command, and every plugin for anything else", () => {
    // A plugin that cannot be loaded makes oclif warn: whether the warning comes shows whether plugins loaded.
    linkModulesWithout(dir, '@oclif/plugin-autocomplete')
    const warned = (result: ReturnType<typeof run>) => result.stderr.includes('@oclif/plugin-autocomplete')
    for (const args of [
      ['announce', '--port', 'abc'],
      ['listen', '--bogus'],
      ['listen', '--help'],
    ]) {
      const plain = run(dir, args)
      expect(warned(plain), plain.stderr).to.equal(false)
      const eager = run(dir, args, {LANMSG_HOT_PATH: 'off'})
      expect(eager.code).to.equal(plain.code)
      expect(warned(eager), 'LANMSG_HOT_PATH=off loads the plugins').to.equal(true)
    }

    for (const args of [['--help'], ['help', 'announce'], ['lisen'], ['announce:x'], []]) {
      expect(warned(run(dir, args)), args.join(' ')).to.equal(true)
    }
  })

  it('sorts the commands without localeCompare, which initialises ICU, on a run of its own command', () => {
    // Without the send guard (an ES module loaded by --import): these commands end at a usage error or help.
    const preload = join(dir, 'count-locale-compare.cjs')
    writeFileSync(
      preload,
      [
        'let calls = 0',
        'const compare = String.prototype.localeCompare',
        'String.prototype.localeCompare = function (...args) { calls++; return compare.apply(this, args) }',
        String.raw`process.on('exit', () => process.stderr.write('localeCompare: ' + calls + '\n'))`,
      ].join('\n'),
    )
    const calls = (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const result = spawnSync(process.execPath, ['--require', preload, join(dir, 'bin', 'run.js'), ...args], {
        env: {...process.env, NO_COLOR: '1', NODE_OPTIONS: undefined, NODE_V8_COVERAGE: undefined, ...env},
        encoding: 'utf8',
        timeout: 30_000,
      })
      return Number(/localeCompare: (\d+)\n$/.exec(result.stderr)?.[1])
    }

    expect(calls(['announce', '--port', 'abc'])).to.equal(0)
    expect(calls(['listen', '--bogus'])).to.equal(0)
    expect(calls(['listen', '--bogus'], {LANMSG_HOT_PATH: 'off'})).to.be.greaterThan(0)
    expect(calls(['announce', '--help'])).to.equal(0)
    expect(calls(['--help'])).to.be.greaterThan(0) // oclif's own order where commands are listed
  })

  it('prints what it printed with every plugin loaded, for runs of its own commands', () => {
    const lines = [
      ['announce', '--help'],
      ['listen', '-h'],
      ['announce', 'hi', '--port', 'abc', '-h'],
      ['announce', '--port', 'abc'],
      ['announce', 'a', 'b', '--to', '127.0.0.1'],
      ['announce', 'hi', '--', '--help'],
      ['listen', '--bogus'],
      ['listen', '--port', '0', '--json', '--ndjson'],
    ]
    for (const args of lines) {
      const hot = run(dir, args)
      expect(hot.code, args.join(' ')).to.equal(
        args.includes('--') || !args.some((arg) => /^(-h|--help)$/.test(arg)) ? 2 : 0,
      )
      expect(hot).to.deep.equal(run(dir, args, {LANMSG_HOT_PATH: 'off'}))
    }
  })

  it("evaluates @oclif/core's modules when they are used, not all on load", () => {
    // fdir, loaded by oclif only for its pattern-based command discovery, resolves picomatch through
    // node_modules as it loads (NODE_DEBUG=module shows the lookup): evaluated eagerly, every run paid for it.
    for (const args of [
      ['announce', '--port', 'abc'],
      ['listen', '--help'],
    ]) {
      const result = run(dir, args, {NODE_DEBUG: 'module'})
      expect(result.stdout + result.stderr).to.match(/port|USAGE/)
      expect(result.stderr).not.to.include('picomatch')
    }

    const bundle = readFileSync(join(dir, 'dist', 'lanmsg.cjs'), 'utf8')
    expect(bundle.match(/function __get_\w+_\d+\(\)/g)?.length).to.be.greaterThan(200)
  })

  it('neither reads nor writes the cache with LANMSG_CODE_CACHE=off', () => {
    rmSync(cache)
    const result = run(dir, ['announce', '--help'], {LANMSG_CODE_CACHE: 'off'})
    expect(result.code).to.equal(0)
    expect(existsSync(cache)).to.equal(false)
  })
})
