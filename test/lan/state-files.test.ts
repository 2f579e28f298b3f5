// The pieces under the packet-number store: the lock file, small state files, where state lives.
import {expect} from 'chai'
import {spawn, spawnSync} from 'node:child_process'
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import {hostname, tmpdir, userInfo} from 'node:os'
import {join, resolve} from 'node:path'

import {withLockFile} from '../../src/lan/lock-file.js'
import {stateDirs, userStateDir} from '../../src/lan/state-dirs.js'
import {readSmallFile, replaceSmallFile, updateSmallFile} from '../../src/lan/state-file.js'

describe('lock file, state files, state directories', () => {
  let dir: string
  let lock: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lanmsg-state-'))
    lock = join(dir, 'x.lock')
  })
  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  describe('withLockFile', () => {
    let ran = false
    const tryLock = (staleMs = 60_000) => withLockFile(lock, () => (ran = true), staleMs)
    const timed = (fn: () => unknown) => {
      const started = Date.now()
      fn()
      return Date.now() - started
    }

    beforeEach(() => {
      ran = false
    })

    it('holds the lock while fn runs and removes it after', () => {
      const inside = withLockFile(lock, () => readFileSync(lock, 'utf8'))
      expect(inside).to.equal(`${process.pid} ${hostname()}\n`)
      expect(existsSync(lock)).to.equal(false)
    })

    it('waits while another live process holds the lock, and runs fn once it lets go', () => {
      const script = `require('fs').writeFileSync(process.argv[1], process.pid + ' ${hostname()}\\n'); setTimeout(() => require('fs').rmSync(process.argv[1]), 400)`
      const holder = spawn(process.execPath, ['-e', script, lock], {stdio: 'ignore'})
      while (!existsSync(lock)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5)
      const waited = timed(() => tryLock())
      expect(ran).to.equal(true)
      expect(waited).to.be.at.least(200) // a lower bound: it did wait
      holder.kill()
    })

    it('takes over at once the lock of a process that has gone', () => {
      const gone = spawnSync(process.execPath, ['-e', '0']).pid
      writeFileSync(lock, `${gone} ${hostname()}\n`)
      tryLock()
      expect(ran).to.equal(true)
    })

    it('takes over a live holder’s lock only once it is older than staleMs (a stuck holder)', () => {
      writeFileSync(lock, `${process.pid} ${hostname()}\n`)
      expect(timed(() => tryLock(400))).to.be.at.least(300)
      expect(ran).to.equal(true)
      writeFileSync(lock, `${process.pid} ${hostname()}\n`)
      const old = (Date.now() - 11_000) / 1000
      utimesSync(lock, old, old)
      ran = false
      tryLock(10_000)
      expect(ran).to.equal(true)
    })

    it('an unreadable holder (being written, or another host’s) is waited for, not taken over at once', () => {
      writeFileSync(lock, '')
      expect(timed(() => tryLock(400))).to.be.at.least(300)
      writeFileSync(lock, `1 another-host\n`)
      expect(timed(() => tryLock(400))).to.be.at.least(300)
    })

    it('a symlink planted at the lock is an error, and is left alone', () => {
      const victim = join(dir, 'victim')
      writeFileSync(victim, 'keep')
      symlinkSync(victim, lock)
      expect(tryLock).to.throw(/not a lock file/)
      expect(ran).to.equal(false)
      expect(readlinkSync(lock)).to.equal(victim)
      expect(readFileSync(victim, 'utf8')).to.equal('keep')
    })
  })

  describe('readSmallFile / replaceSmallFile / updateSmallFile', () => {
    it('updateSmallFile rewrites a plain file in place, and never writes through a symlink, FIFO or hard link', () => {
      const state = join(dir, 'state')
      const seen: Array<string | undefined> = []
      const update = (text: string | undefined) => {
        seen.push(text)
        return `${seen.length}\n`
      }

      expect(updateSmallFile(state, update)).to.equal('1\n')
      writeFileSync(state, 'longer garbage')
      expect(updateSmallFile(state, update)).to.equal('2\n')
      expect(readFileSync(state, 'utf8')).to.equal('2\n')
      const victim = join(dir, 'victim')
      writeFileSync(victim, 'keep')
      for (const plant of [
        () => symlinkSync(victim, state),
        () => linkSync(victim, state),
        () => spawnSync('mkfifo', [state]).status === 0 || symlinkSync(victim, state),
      ]) {
        rmSync(state)
        plant()
        updateSmallFile(state, update)
        expect(readFileSync(victim, 'utf8')).to.equal('keep')
        expect(lstatSync(state).isFile() && lstatSync(state).nlink).to.equal(1)
      }

      expect(seen).to.deep.equal([undefined, 'longer garbage', undefined, undefined, undefined])
    })

    it('reads nothing through a symlink, a directory or a FIFO (without waiting for a writer)', () => {
      const victim = join(dir, 'victim')
      writeFileSync(victim, '123')
      symlinkSync(victim, join(dir, 'link'))
      expect(readSmallFile(join(dir, 'link'))).to.equal(undefined)
      expect(readSmallFile(dir)).to.equal(undefined)
      expect(readSmallFile(join(dir, 'absent'))).to.equal(undefined)
      if (spawnSync('mkfifo', [join(dir, 'fifo')]).status === 0)
        expect(readSmallFile(join(dir, 'fifo'))).to.equal(undefined)
      expect(readSmallFile(victim)).to.equal('123')
    })

    it('replaces a planted symlink by a file and leaves its target alone; no temporary file is left', () => {
      const victim = join(dir, 'victim')
      writeFileSync(victim, 'keep')
      symlinkSync(victim, join(dir, 'state'))
      replaceSmallFile(join(dir, 'state'), '42\n')
      expect(lstatSync(join(dir, 'state')).isFile()).to.equal(true)
      expect(readFileSync(join(dir, 'state'), 'utf8')).to.equal('42\n')
      expect(readFileSync(victim, 'utf8')).to.equal('keep')
      expect(readSmallFile(join(dir, 'state'))).to.equal('42\n')
      expect(readdirSync(dir).sort()).to.deep.equal(['state', 'victim'])
    })
  })

  describe('userStateDir / stateDirs', () => {
    const home = userInfo().homedir
    it('LANMSG_STATE_DIR first (a relative one from the current directory: asked for), then XDG, then HOME', () => {
      expect(userStateDir({LANMSG_STATE_DIR: '/s', XDG_STATE_HOME: '/x', HOME: '/h'})).to.equal('/s')
      expect(userStateDir({LANMSG_STATE_DIR: 'rel'})).to.equal(resolve('rel'))
      expect(userStateDir({XDG_STATE_HOME: '/x', HOME: '/h'})).to.equal('/x/lanmsg')
      expect(userStateDir({HOME: '/h'})).to.equal('/h/.local/state/lanmsg')
    })

    it('never the current directory: a relative XDG_STATE_HOME or HOME does not count', () => {
      expect(userStateDir({XDG_STATE_HOME: 'state', HOME: '/h'})).to.equal('/h/.local/state/lanmsg')
      expect(userStateDir({XDG_STATE_HOME: '', HOME: ''})).to.equal(join(home, '.local', 'state', 'lanmsg'))
      expect(userStateDir({HOME: '.'})).to.equal(join(home, '.local', 'state', 'lanmsg'))
    })

    it('ends with a private directory in the temporary directory', () => {
      const dirs = stateDirs({HOME: '/h'})
      expect(dirs.map((d) => d.path)).to.deep.equal([
        '/h/.local/state/lanmsg',
        join(tmpdir(), `lanmsg-${process.getuid?.() ?? userInfo().username}`),
      ])
      expect(dirs.map((d) => d.private ?? false)).to.deep.equal([false, true])
    })
  })
})
