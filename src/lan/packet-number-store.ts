// Packet numbers that strictly increase across runs, also two runs started in the same second (§4: iptux
// drops a message whose number is not above the last one it saw from that address). Numbers are
// Windows-style seconds; each run reserves a block above the last reserved number in a small state file.
import {closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {MAX_PACKET_NO} from '../protocol/packet-number.js'

const BLOCK = 64
const LOCK_WAIT_MS = 200
const STALE_LOCK_MS = 2000

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LANMSG_STATE_DIR) return env.LANMSG_STATE_DIR
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state')
  return join(base, 'lanmsg')
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Runs `fn` while holding an exclusive lock file; runs it unlocked if the lock cannot be had in time. */
function withLock<T>(lockPath: string, fn: () => T): T {
  const deadline = Date.now() + LOCK_WAIT_MS
  let fd: number | undefined
  while (fd === undefined) {
    try {
      fd = openSync(lockPath, 'wx')
    } catch {
      try {
        if (Date.now() - statSync(lockPath).mtimeMs > STALE_LOCK_MS) rmSync(lockPath, {force: true})
      } catch {}

      if (Date.now() > deadline) return fn()
      sleepSync(5)
    }
  }

  try {
    return fn()
  } finally {
    closeSync(fd)
    rmSync(lockPath, {force: true})
  }
}

export class PacketNumberSource {
  private last = 0
  private reservedUntil = 0
  private readonly file: string | undefined

  /** stateDir undefined: numbers from the clock alone (no persistence). */
  constructor(
    stateDir: string | undefined = defaultStateDir(),
    private readonly clock: () => number = Date.now,
  ) {
    this.file = stateDir === undefined ? undefined : join(stateDir, 'packet-number')
    if (stateDir !== undefined) {
      try {
        mkdirSync(stateDir, {recursive: true})
      } catch {
        this.file = undefined
      }
    }
  }

  next(): number {
    // Below 2^31 (§4: Windows prints receipts with %d); past 2038 the clock wraps and the count goes on.
    let n = Math.max(Math.floor(this.clock() / 1000) % MAX_PACKET_NO, this.last + 1)
    if (n > MAX_PACKET_NO) n = 1
    if (n > this.reservedUntil || n <= this.last) n = this.reserve(n)
    this.last = n
    return n
  }

  private reserve(wanted: number): number {
    if (this.file === undefined) {
      this.reservedUntil = Math.min(wanted + BLOCK - 1, MAX_PACKET_NO)
      return wanted
    }

    const {file} = this
    try {
      return withLock(`${file}.lock`, () => {
        let stored = 0
        try {
          stored = Number.parseInt(readFileSync(file, 'utf8'), 10) || 0
        } catch {}

        let start = Math.max(wanted, stored + 1)
        if (start + BLOCK - 1 > MAX_PACKET_NO) start = 1
        this.reservedUntil = start + BLOCK - 1
        const tmp = `${file}.${process.pid}.tmp`
        writeFileSync(tmp, String(this.reservedUntil))
        renameSync(tmp, file)
        return start
      })
    } catch {
      this.reservedUntil = Math.min(wanted + BLOCK - 1, MAX_PACKET_NO)
      return wanted
    }
  }
}

export {MAX_PACKET_NO} from '../protocol/packet-number.js'
