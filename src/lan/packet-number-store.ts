// Packet numbers that never repeat and never go backwards on this host, whatever runs beside lanmsg (§4: iptux
// drops a message whose number is not above the last one it saw from that address). Every next() applies the one
// rule of protocol/packet-number.ts, max(now, last + 1), to the last number this user's runs sent, read from and
// written back to a small state file under an exclusive lock. Nothing is reserved ahead: numbers run ahead of
// the clock only by what was actually sent within a second.
import {join} from 'node:path'

import {isPacketNo, nextPacketNo} from '../protocol/packet-number.js'
import {withLockFile} from './lock-file.js'
import {prepareStateDir, type StateDir, stateDirs} from './state-dirs.js'
import {updateSmallFile} from './state-file.js'

const FILE = 'packet-number'

/** The number a state file holds, or undefined when it holds none (absent, or anything but 1–10 digits below 2^31). */
function parseState(text: string | undefined): number | undefined {
  const match = /^(\d{1,10})\n?$/.exec(text ?? '')
  const value = match ? Number(match[1]) : undefined
  return isPacketNo(value) ? value : undefined
}

const later = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b)

export class PacketNumberSource {
  private last: number | undefined
  private readonly dirs: StateDir[]
  private prepared = false

  /**
   * @param dirs where the state may be kept, tried in order (a directory that fails is dropped for the rest of
   *   the run); `[]` keeps numbers in this process only. Default: the user's state directory, then a private one
   *   in the temporary directory.
   */
  constructor(
    dirs: readonly StateDir[] | string = stateDirs(),
    private readonly clock: () => number = Date.now,
  ) {
    this.dirs = typeof dirs === 'string' ? [{path: dirs}] : [...dirs]
  }

  /** The next number to send: above every number this user's runs sent before, and at least the clock. */
  next(): number {
    const nowSeconds = this.clock() / 1000
    while (this.dirs.length > 0) {
      try {
        this.last = this.nextIn(this.dirs[0], nowSeconds)
        return this.last
      } catch {
        this.dirs.shift()
        this.prepared = false
      }
    }

    // No state anywhere (no writable directory at all): unique within this process only.
    this.last = nextPacketNo(this.last, nowSeconds)
    return this.last
  }

  private nextIn(dir: StateDir, nowSeconds: number): number {
    if (!this.prepared) prepareStateDir(dir)
    this.prepared = true
    const file = join(dir.path, FILE)
    return withLockFile(`${file}.lock`, () => {
      const text = updateSmallFile(
        file,
        (stored) => `${nextPacketNo(later(parseState(stored), this.last), nowSeconds)}\n`,
      )
      return Number(text)
    })
  }
}
