// The build trains the bundle's code cache with `announce --help` and then a complete announce to loopback
// (scripts/train-code-cache.mjs), so that a run that sends finds its functions compiled. A run with
// LANMSG_CODE_CACHE=extend rewrites the cache with what it compiled on top: how much that adds shows what the
// trained cache lacked. The announces here go to a socket of this test on 127.0.0.1.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {createSocket, type Socket} from 'node:dgram'
import {cpSync, mkdtempSync, rmSync, statSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {REPO} from '../support/cli-bin.js'
import {guardedEnv} from '../support/send-guard.js'

describe('code cache training', function () {
  this.timeout(120_000)
  let dir: string
  let socket: Socket

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lanmsg-cache-training-'))
    for (const entry of ['bin', 'dist', 'package.json', 'oclif.manifest.json']) {
      cpSync(join(REPO, entry), join(dir, entry), {recursive: true})
    }

    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir')
    socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  })

  afterEach(() => {
    socket.close()
    rmSync(dir, {recursive: true, force: true})
  })

  function run(args: string[], mode: string) {
    const result = spawnSync(process.execPath, [join(dir, 'bin', 'run.js'), ...args], {
      // Without NODE_V8_COVERAGE: under coverage bin/run.js skips the code cache.
      env: guardedEnv({
        NO_COLOR: '1',
        NODE_V8_COVERAGE: undefined,
        LANMSG_CODE_CACHE: mode,
        LANMSG_STATE_DIR: join(dir, 'state'),
      }),
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(result.status, result.stderr).to.equal(0)
  }

  /** How many bytes a complete announce adds to the cache when it may extend it. */
  function growthByAnnounce(): number {
    const cache = join(dir, 'dist', 'lanmsg.cjs.cache')
    const before = statSync(cache).size
    const port = String(socket.address().port)
    run(['announce', 'hi', '--to', '127.0.0.1', '--port', port, '--bind-port', '0', '--wait', '0'], 'extend')
    return statSync(cache).size / before - 1
  }

  it("holds a complete announce's functions as built", () => {
    // Trained here as the build trains it: dist/'s cache may be one that a run with other V8 flags left behind.
    const training = spawnSync(process.execPath, [join(REPO, 'scripts', 'train-code-cache.mjs'), dir], {
      env: guardedEnv({NODE_V8_COVERAGE: undefined}),
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(training.status, training.stderr).to.equal(0)
    expect(growthByAnnounce()).to.be.lessThan(0.03)
  })

  it('misses them when trained by the help alone (what the test above would see without the training)', () => {
    run(['announce', '--help'], 'write')
    expect(growthByAnnounce()).to.be.greaterThan(0.2)
  })
})
