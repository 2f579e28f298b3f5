// Random bytes for hash keys and temporary file names without loading node:crypto, which costs a complete
// announce ~16 M instructions (~3 ms): on Linux from /dev/urandom, the kernel's generator; elsewhere, or when it
// cannot be read, from node:crypto.
import {closeSync, openSync, readSync} from 'node:fs'
import {createRequire} from 'node:module'

/** Fills `view` with random bytes from the kernel's generator (as crypto.randomFillSync would) and returns it. */
export function randomFill<T extends NodeJS.TypedArray>(view: T): T {
  if (process.platform === 'linux' && readUrandom(new Uint8Array(view.buffer, view.byteOffset, view.byteLength))) {
    return view
  }

  const {randomFillSync} = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')
  randomFillSync(view)
  return view
}

function readUrandom(bytes: Uint8Array): boolean {
  let fd: number
  try {
    fd = openSync('/dev/urandom', 'r')
  } catch {
    return false
  }

  try {
    for (let filled = 0; filled < bytes.length;) {
      const read = readSync(fd, bytes, filled, bytes.length - filled, null)
      if (read <= 0) return false
      filled += read
    }

    return true
  } catch {
    return false
  } finally {
    closeSync(fd)
  }
}
