// How many datagrams the kernel dropped on a socket because its receive buffer was full: they never reach lanmsg,
// so only the kernel's count of them (the socket's sk_drops) can say that something was lost before lanmsg read it.
import {readFileSync, readlinkSync} from 'node:fs'

import {batchReadAddon} from './batch-read.js'

/** Where the native addon is not loaded: the `drops` column of /proc/self/net/udp, found by the socket's inode. */
function procDrops(fd: number): number | undefined {
  try {
    const inode = /^socket:\[(\d+)]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1]
    if (inode === undefined) return undefined
    for (const line of readFileSync('/proc/self/net/udp', 'latin1').split('\n')) {
      // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
      const cols = line.trim().split(/\s+/)
      if (cols.length >= 13 && cols[9] === inode) return Number(cols[12])
    }
  } catch {
    // not Linux, or no /proc: unknown
  }

  return undefined
}

/** The datagrams the kernel has dropped on the socket `fd` since it was opened, or undefined when it cannot tell. */
export function socketDrops(fd: number): number | undefined {
  const count = batchReadAddon()?.socketDrops?.(fd)
  if (count !== undefined && count >= 0) return count
  return process.platform === 'linux' ? procDrops(fd) : undefined
}
