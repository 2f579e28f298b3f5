// Where lanmsg keeps its state (the last packet number): the user's state directory, then a private directory in
// the temporary directory when that one cannot be used. Never a path relative to wherever lanmsg was started.
import {lstatSync, mkdirSync} from 'node:fs'
import {tmpdir, userInfo} from 'node:os'
import {isAbsolute, join, resolve} from 'node:path'

import {errorCode} from './state-file.js'

export interface StateDir {
  path: string
  /** Must be a directory of this user that nobody else can write (a place in a shared /tmp). */
  private?: boolean
}

function passwdHome(): string | undefined {
  try {
    return userInfo().homedir
  } catch {
    return undefined
  }
}

/**
 * $LANMSG_STATE_DIR (a relative one is taken from the current directory: the user said so), else
 * $XDG_STATE_HOME/lanmsg, else ~/.local/state/lanmsg. XDG_STATE_HOME and HOME count only when absolute (the XDG
 * rule; `HOME=""` must not mean the current directory); without them the home directory comes from the user
 * database. Undefined when there is no home directory at all.
 */
export function userStateDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.LANMSG_STATE_DIR) return resolve(env.LANMSG_STATE_DIR)
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return join(env.XDG_STATE_HOME, 'lanmsg')
  const home = [env.HOME, passwdHome()].find((path) => path !== undefined && isAbsolute(path))
  return home === undefined ? undefined : join(home, '.local', 'state', 'lanmsg')
}

/** `<tmpdir>/lanmsg-<uid>`: the fallback, shared by this user's runs when their state directory is unusable. */
export function privateTempStateDir(): StateDir {
  const owner = process.getuid?.() ?? userInfo().username
  return {path: join(tmpdir(), `lanmsg-${owner}`), private: true}
}

/** The directories to try, in order. */
export function stateDirs(env: NodeJS.ProcessEnv = process.env): StateDir[] {
  const user = userStateDir(env)
  return [...(user === undefined ? [] : [{path: user}]), privateTempStateDir()]
}

/** Creates `dir` if needed; throws when it is not usable as asked (not a directory, or not private when it must be). */
export function prepareStateDir(dir: StateDir): void {
  if (!dir.private) {
    mkdirSync(dir.path, {mode: 0o700, recursive: true})
    return
  }

  try {
    mkdirSync(dir.path, {mode: 0o700})
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error
  }

  const stat = lstatSync(dir.path)
  const uid = process.getuid?.()
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) {
    throw new Error(`${dir.path} is not a private directory of this user`)
  }
}
