// Batched reads of a UDP socket through lanmsg's small native addon (native/recv_batch.c, Linux recvmmsg): many
// datagrams per system call and one JavaScript call per batch, instead of Node's one of each per datagram.
// Optional: without the addon (not built, not Linux) or with LANMSG_BATCH_READ=off, sockets are read as Node
// reads them, with the same results.
import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/** The addon's recvBatch (see native/recv_batch.c): datagrams read, 0 when none was waiting, or -errno. */
// eslint-disable-next-line max-params -- the native addon's signature (native/recv_batch.c)
type RecvBatch = (fd: number, bytes: Uint8Array, slotSize: number, meta: Int32Array, count: number) => number

interface Addon {
  recvBatch: RecvBatch
  /** Datagrams the kernel dropped on the socket (getsockopt SO_MEMINFO), or -errno; absent from older builds. */
  socketDrops?: (fd: number) => number
  MAX_BATCH: number
}

/** Where the built addon may be: copied into dist/ by the build, or where node-gyp left it. */
export const ADDON_PATHS = ['dist/lanmsg_recv.node', 'native/build/Release/lanmsg_recv.node']
/** A slot holds the largest IPv4 UDP payload (65,507 bytes). */
const SLOT_BYTES = 64 * 1024
/** Datagrams per system call: 64 slots are 4 MiB of address space, of which only the pages written are memory. */
const SLOTS = 64

let loaded: Addon | null | undefined

/** The directory of lanmsg's package.json (where dist/ and native/ are). */
export function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as {name?: string}).name === 'lanmsg') return dir
      } catch {}
    }

    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The addon, or undefined when it is not available (or switched off); loaded once. */
export function batchReadAddon(): Addon | undefined {
  if (loaded !== undefined) return loaded ?? undefined
  loaded = null
  if (process.platform !== 'linux' || process.env.LANMSG_BATCH_READ === 'off') return undefined
  const root = packageRoot()
  if (root === undefined) return undefined
  const require = createRequire(import.meta.url)
  for (const path of ADDON_PATHS) {
    const file = join(root, path)
    if (!existsSync(file)) continue
    try {
      const addon = require(file) as Addon
      if (typeof addon.recvBatch === 'function') {
        loaded = addon
        break
      }
    } catch {
      // Built for another Node or machine: read as Node does.
    }
  }

  return loaded ?? undefined
}

/** Reads the datagrams waiting on one socket, many at a time, into a buffer that each read reuses. */
export class BatchReader {
  /** Datagram i of the last read is bytes[meta[4i], + meta[4i + 1]) from meta[4i + 2] (IPv4) : meta[4i + 3]. */
  readonly bytes: Uint8Array
  readonly meta: Int32Array
  private readonly slots: number

  constructor(
    private readonly addon: Addon,
    private readonly fd: number,
  ) {
    this.slots = Math.min(SLOTS, addon.MAX_BATCH)
    // Not zeroed: pages of the 4 MiB that no datagram reaches are never touched, so they take no memory.
    this.bytes = Buffer.allocUnsafeSlow(this.slots * SLOT_BYTES)
    this.meta = new Int32Array(this.slots * 4)
  }

  /** Reads what is waiting, without blocking: how many datagrams (0 when none), or -errno. */
  read(): number {
    return this.addon.recvBatch(this.fd, this.bytes, SLOT_BYTES, this.meta, this.slots)
  }
}
