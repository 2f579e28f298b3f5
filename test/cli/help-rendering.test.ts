// The bundle renders oclif's help with two shortcuts (scripts/bundle-cli.mjs): texts without ejs (plain texts and
// `<%= … %>` tags, src/ui/help-template.ts) and printable ASCII measured at once in wrap-ansi and string-width.
// The help must be byte for byte what oclif renders without them, at every width and with colour or without.
// Each run is the built package, or a copy bundled with --unpatched-help; no test here opens a socket.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {createRequire} from 'node:module'
import {join} from 'node:path'

import {REPO} from '../support/cli-bin.js'
import {guardedEnv} from '../support/send-guard.js'

function run(root: string, args: string[], env: NodeJS.ProcessEnv, preload?: string) {
  const result = spawnSync(
    process.execPath,
    [...(preload ? ['--require', preload] : []), join(root, 'bin', 'run.js'), ...args],
    {
      // Without NODE_V8_COVERAGE (c8 sets it) for the same code cache as a user's run; the preload run without
      // the send guard (an ES module loaded by --import): help opens no socket.
      env: preload
        ? {...process.env, NODE_OPTIONS: undefined, NODE_V8_COVERAGE: undefined, ...env}
        : guardedEnv({NODE_V8_COVERAGE: undefined, ...env}),
      encoding: 'utf8',
      timeout: 30_000,
    },
  )
  expect(result.status, result.stderr).to.equal(0)
  return result
}

describe('help rendering in the bundle', function () {
  this.timeout(180_000) // esbuild and the cache's training for the copy, then ~50 runs, on a busy machine
  let unpatched: string

  before(() => {
    unpatched = mkdtempSync(join(tmpdir(), 'lanmsg-unpatched-help-'))
    for (const entry of ['bin', 'package.json', 'oclif.manifest.json']) {
      cpSync(join(REPO, entry), join(unpatched, entry), {recursive: true})
    }

    mkdirSync(join(unpatched, 'dist'))
    symlinkSync(join(REPO, 'node_modules'), join(unpatched, 'node_modules'), 'dir')
    const build = spawnSync(
      process.execPath,
      [join(REPO, 'scripts', 'bundle-cli.mjs'), '--out', unpatched, '--unpatched-help'],
      {encoding: 'utf8', env: guardedEnv({NODE_V8_COVERAGE: undefined}), timeout: 170_000},
    )
    expect(build.status, build.stderr).to.equal(0)
  })

  after(() => rmSync(unpatched, {recursive: true, force: true}))

  it("prints oclif's help byte for byte, at 40 to 200 columns, with colour and without", () => {
    for (const command of ['announce', 'listen', 'doctor']) {
      for (const columns of ['40', '80', '117', '200']) {
        for (const colour of [{NO_COLOR: '1'}, {FORCE_COLOR: '3'}]) {
          const env = {OCLIF_COLUMNS: columns, ...colour}
          const args = [command, columns === '80' ? '-h' : '--help']
          const expected = run(unpatched, args, env).stdout
          expect(expected).to.include('USAGE')
          expect(run(REPO, args, env).stdout, `${args.join(' ')} ${JSON.stringify(env)}`).to.equal(expected)
        }
      }
    }
  })

  it('takes printable ASCII as wide as it is long, as string-width measures it (every text up to 3 characters)', () => {
    const stringWidth = createRequire(import.meta.url)('string-width') as (text: string) => number
    const ascii = Array.from({length: 0x7f - 0x20}, (_, i) => String.fromCodePoint(0x20 + i))
    let wrong = 0
    for (const a of ascii) for (const b of ascii) for (const c of ascii) if (stringWidth(a + b + c) !== 3) wrong++
    expect(wrong).to.equal(0)
    expect(stringWidth(ascii.join(''))).to.equal(ascii.length)
  })

  it('compiles no template and measures ASCII text without going through it code point by code point', () => {
    // Counts what the shortcuts avoid: ejs compiles each text with new Function; string-width reads code points.
    const dir = mkdtempSync(join(tmpdir(), 'lanmsg-help-count-'))
    const preload = join(dir, 'count.cjs')
    writeFileSync(
      preload,
      [
        'let compiled = 0, codePoints = 0',
        'const codePointAt = String.prototype.codePointAt',
        'String.prototype.codePointAt = function (...args) { codePoints++; return codePointAt.apply(this, args) }',
        'const construct = (target, args, newTarget) => { compiled++; return Reflect.construct(target, args, newTarget) }',
        'globalThis.Function = new Proxy(Function, {construct})',
        String.raw`process.on('exit', () => process.stderr.write(JSON.stringify({compiled, codePoints}) + '\n'))`,
      ].join('\n'),
    )
    try {
      const counts = (root: string) =>
        JSON.parse(run(root, ['announce', '--help'], {NO_COLOR: '1'}, preload).stderr) as Record<string, number>
      const before = counts(unpatched)
      expect(before.compiled).to.be.greaterThan(50) // the count sees ejs at work
      expect(before.codePoints).to.be.greaterThan(10_000)
      const now = counts(REPO)
      expect(now.compiled).to.equal(0)
      expect(now.codePoints).to.be.lessThan(1000) // only the few texts that are not ASCII ("你好")
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
