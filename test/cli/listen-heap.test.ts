import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

// A child process allocates as a flood does (a ring of live objects, replaced one by one, and garbage besides) and
// reports the young generation's size before and after: V8 doubles it under such a load unless listen's settings
// hold it.
const CHURN = `
import v8 from 'node:v8'
import {keepListenHeapSmall} from ${JSON.stringify(pathToFileURL(resolve('src/cli/listen-heap.ts')).href)}
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size
keepListenHeapSmall()
const start = newSpace()
const ring = new Array(20000)
for (let i = 0; i < 3000000; i++) ring[i % 20000] = {i, text: 'datagram ' + i}
console.log(JSON.stringify({start, end: newSpace()}))
`

function churn(env: NodeJS.ProcessEnv): {end: number; start: number} {
  const dir = mkdtempSync(join(tmpdir(), 'lanmsg-heap-'))
  try {
    const script = join(dir, 'churn.mts')
    writeFileSync(script, CHURN)
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {encoding: 'utf8', env, timeout: 60_000})
    expect(run.status, run.stderr).to.equal(0)
    return JSON.parse(run.stdout) as {end: number; start: number}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

describe('cli/listen-heap', function () {
  this.timeout(120_000)

  it("keeps the young generation at its size under a flood's allocation (and LANMSG_SMALL_HEAP=off lets it grow)", () => {
    const held = churn({...process.env, LANMSG_SMALL_HEAP: undefined})
    expect(held.end, JSON.stringify(held)).to.be.at.most(held.start)
    const grown = churn({...process.env, LANMSG_SMALL_HEAP: 'off'})
    expect(grown.end, JSON.stringify(grown)).to.be.above(grown.start * 2)
  })
})
