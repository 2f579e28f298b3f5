// Unicode property patterns are made at their first test, not when their module loads: creating one costs V8 about
// a million instructions, and a complete announce (no replies shown) tests none.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'

import {lazyPattern} from '../../src/ui/lazy-pattern.js'
import {REPO} from '../support/cli-bin.js'

/** In a fresh Node: the sources of the \p{…} patterns alive after loading the built modules, then after using them. */
function propertyPatterns(): {loaded: string[]; used: string[]} {
  const script = `
const inspector = require('node:inspector')
const {pathToFileURL} = require('node:url')
const session = new inspector.Session()
session.connect()
function patterns() {
  let found
  session.post('Runtime.evaluate', {expression: 'RegExp.prototype'}, (_, proto) => {
    session.post('Runtime.queryObjects', {prototypeObjectId: proto.result.objectId}, (_, all) => {
      const list = 'function () { return this.map((r) => r.source).filter((s) => s.includes("\\\\\\\\p{")) }'
      session.post('Runtime.callFunctionOn', {objectId: all.objects.objectId, functionDeclaration: list, returnByValue: true},
        (_, value) => (found = value.result.value))
    })
  })
  return found
}
const dist = ${JSON.stringify(join(REPO, 'dist', 'ui'))}
Promise.all(['terminal-safe.js', 'display-width.js'].map((f) => import(pathToFileURL(dist + '/' + f).href))).then(([safe, width]) => {
  const loaded = patterns()
  safe.safeText('a\\u0301\\u200e b')
  width.displayWidth('\\u{1F44D}\\u{1F3FD} \\u00e9\\u0301')
  console.log(JSON.stringify({loaded, used: patterns()}))
})
`
  const run = spawnSync(process.execPath, ['-e', script], {encoding: 'utf8', timeout: 30_000})
  expect(run.status, run.stderr).to.equal(0)
  return JSON.parse(run.stdout) as {loaded: string[]; used: string[]}
}

describe('lazyPattern', () => {
  it('makes the pattern at the first test, once, and tests as it does', () => {
    let made = 0
    const mark = lazyPattern(() => {
      made++
      return /^\p{M}$/u
    })
    expect(made).to.equal(0)
    expect(mark.test('\u0301')).to.equal(true)
    expect(mark.test('a')).to.equal(false)
    expect(made).to.equal(1)
  })

  it(String.raw`leaves terminal-safe's and display-width's \p{…} patterns unmade until text needs them`, function () {
    this.timeout(30_000)
    const {loaded, used} = propertyPatterns()
    expect(loaded).to.deep.equal([])
    expect(used.length, 'patterns made by safeText and displayWidth').to.be.above(3) // the query sees them
  })
})
