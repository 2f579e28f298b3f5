// Small state files that are safe in a directory other people can write: never read or written through a planted
// symlink, FIFO, device or hard link to another file.
import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import {randomFill} from './random-fill.js'

// O_NOFOLLOW: a symlink fails to open (ELOOP); O_NONBLOCK: a FIFO planted there cannot stall the open.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)
const UPDATE_FLAGS = constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)
// O_EXCL: fails on any existing name, a symlink included, so a new file is never someone else's.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0)

export const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

/** Creates `path` exclusively (mode 0666 less the umask) and writes `text`; throws EEXIST when anything is there. */
export function createExclusive(path: string, text: string): number {
  const fd = openSync(path, CREATE_FLAGS, 0o666)
  try {
    writeSync(fd, text)
    return fd
  } catch (error) {
    closeSync(fd)
    rmSync(path, {force: true})
    throw error
  }
}

/**
 * Up to `maxBytes` of the regular file at `path`; undefined when nothing usable is there (absent, a symlink, a
 * directory, a FIFO): the caller's next replaceSmallFile puts a real file in its place. Other errors throw.
 */
export function readSmallFile(path: string, maxBytes = 64): string | undefined {
  let fd: number
  try {
    fd = openSync(path, READ_FLAGS)
  } catch (error) {
    if (['ENOENT', 'ELOOP', 'EISDIR', 'ENXIO'].includes(errorCode(error) ?? '')) return undefined
    throw error
  }

  try {
    if (!fstatSync(fd).isFile()) return undefined
    const buffer = Buffer.alloc(maxBytes)
    const length = readSync(fd, buffer, 0, maxBytes, 0)
    return buffer.toString('latin1', 0, length)
  } finally {
    closeSync(fd)
  }
}

/** Replaces `path` (whatever is there) with a file holding `text`: a fresh, randomly named temporary file renamed over it. */
export function replaceSmallFile(path: string, text: string): void {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomFill(Buffer.alloc(6)).toString('hex')}.tmp`,
  )
  closeSync(createExclusive(temporary, text))
  try {
    renameSync(temporary, path)
  } catch (error) {
    rmSync(temporary, {force: true})
    throw error
  }
}

/** A descriptor of the plain file at `path` (created if absent), or undefined when something else is there. */
function openPlainFile(path: string): number | undefined {
  let fd: number
  try {
    fd = openSync(path, UPDATE_FLAGS, 0o666)
  } catch (error) {
    if (['ELOOP', 'ENXIO'].includes(errorCode(error) ?? '')) return undefined
    throw error
  }

  const stat = fstatSync(fd)
  if (stat.isFile() && stat.nlink === 1) return fd
  closeSync(fd)
  return undefined
}

/**
 * Rewrites the small file at `path` in place with update(its text, or undefined when absent or not a plain file)
 * and returns the new text. The caller holds a lock: in place is ten times cheaper than write-and-rename, which
 * makes ext4 flush the data on every rename. Whatever is there but a plain file is first replaced by one.
 */
export function updateSmallFile(path: string, update: (text: string | undefined) => string, maxBytes = 64): string {
  let fd = openPlainFile(path)
  if (fd === undefined) {
    replaceSmallFile(path, '')
    fd = openPlainFile(path)
    if (fd === undefined) throw new Error(`${path} keeps being replaced by something that is not a plain file`)
  }

  try {
    const buffer = Buffer.alloc(maxBytes)
    const length = readSync(fd, buffer, 0, maxBytes, 0)
    const text = update(length === 0 ? undefined : buffer.toString('latin1', 0, length))
    writeSync(fd, text, 0, 'latin1')
    if (length !== text.length) ftruncateSync(fd, text.length)
    return text
  } finally {
    closeSync(fd)
  }
}
