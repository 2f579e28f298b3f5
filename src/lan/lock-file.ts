// An exclusive lock file (created with O_EXCL), held for the microseconds of one read-modify-write of a state file.
// Waiting never ends in running unlocked, nor in giving up while others make progress: a lock is taken over only
// when its holder is gone (its pid no longer runs on this host) or stuck (older than staleMs), so a wait ends
// within about staleMs of the last holder; a lock that can neither be had nor broken is an error.
import {closeSync, fstatSync, lstatSync, unlinkSync, writeSync} from 'node:fs'
import {hostname} from 'node:os'

import {createExclusive, errorCode, readSmallFile} from './state-file.js'

/** A lock older than this is taken over whoever holds it (a holder needs microseconds; this allows for a stall). */
export const STALE_LOCK_MS = 10_000

const HOST = hostname()

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errorCode(error) === 'EPERM' // it runs, as another user
  }
}

/** True when the lock's holder is known to be gone: its pid, written by a process on this host, no longer runs. */
function holderIsGone(path: string): boolean {
  const match = /^(\d+) (.*)\n$/.exec(readSmallFile(path, 300) ?? '')
  return match !== null && match[2] === HOST && !isRunning(Number(match[1]))
}

/** Removes the lock at `path` if its holder is gone or stuck; true when the caller should try to take it again. */
function breakIfStale(path: string, staleMs: number): boolean {
  let seen
  try {
    seen = lstatSync(path)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true
    throw error
  }

  if (!seen.isFile()) throw new Error(`${path} is not a lock file`) // planted: never ours to remove
  if (Math.abs(Date.now() - seen.mtimeMs) < staleMs && !holderIsGone(path)) return false
  // Only the file judged stale: another waiter may have broken it already and hold a new lock by the same name
  // (even on the same inode number, freed and reused: hence the change time too).
  const now = lstatSync(path, {throwIfNoEntry: false})
  if (now?.ino === seen.ino && now.dev === seen.dev && now.ctimeMs === seen.ctimeMs) unlinkSync(path)
  return true
}

function release(path: string, fd: number): void {
  try {
    const mine = fstatSync(fd)
    const there = lstatSync(path, {throwIfNoEntry: false})
    if (there?.ino === mine.ino && there.dev === mine.dev) unlinkSync(path) // not one a waiter took over from us
  } catch {
    // fn's result stands; a lock we could not remove goes stale and is then taken over (or reported) by the next
  } finally {
    closeSync(fd)
  }
}

/** Runs `fn` while holding the lock file `path`; throws when the lock cannot be had (fn then does not run). */
export function withLockFile<T>(path: string, fn: () => T, staleMs = STALE_LOCK_MS): T {
  let fd: number | undefined
  for (let attempt = 1; fd === undefined; attempt++) {
    try {
      fd = createExclusive(path, '')
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error
      if (!breakIfStale(path, staleMs)) sleepSync(Math.min(attempt, 20))
    }
  }

  try {
    writeSync(fd, `${process.pid} ${HOST}\n`)
  } catch {
    // a full disk: an empty lock still locks, and goes stale by age alone
  }

  try {
    return fn()
  } finally {
    release(path, fd)
  }
}
