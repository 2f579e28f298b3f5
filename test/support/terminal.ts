// A real pseudo-terminal for process-level tests: lanmsg runs in a tmux pane (80×24 unless told), keys are typed
// into it (C-c sends SIGINT through the terminal's line discipline, as a person's Ctrl-C does), and killing the
// session hangs the terminal up. Each Terminal has its own tmux server, its socket in its own temporary directory
// (-S), so tests never touch anyone's tmux and leave no socket behind.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {CLI_BIN, REPO} from './cli-bin.js'
import {guardedEnv} from './send-guard.js'

const CHILD = fileURLToPath(new URL('terminal-child.mjs', import.meta.url))

export function tmuxSkipReason(): string | undefined {
  return spawnSync('tmux', ['-V']).status === 0 ? undefined : 'tmux is not installed'
}

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

export interface TerminalExit {
  code: null | number
  signal: NodeJS.Signals | null
}

export class Terminal {
  readonly dir: string
  private readonly socket: string
  private readonly statusFile: string

  private constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'lanmsg-tty-'))
    this.socket = join(this.dir, 'tmux.sock')
    this.statusFile = join(this.dir, 'status.json')
    // The pane stays after lanmsg exits, so that the test can read the screen.
    writeFileSync(join(this.dir, 'tmux.conf'), 'set -g remain-on-exit on\n')
  }

  /**
   * Runs `lanmsg ARGS` in a new terminal. `redirect` is appended to the shell line (e.g. `> file` for stdout
   * into a file while stderr stays on the terminal).
   */
  static start(
    args: string[],
    opts: {cols?: number; env?: NodeJS.ProcessEnv; redirect?: string; rows?: number} = {},
  ): Terminal {
    const terminal = new Terminal()
    const line = [process.execPath, CHILD, terminal.statusFile, process.execPath, CLI_BIN, ...args]
      .map((arg) => quote(arg))
      .join(' ')
    terminal.tmux(
      ['new-session', '-d', '-x', String(opts.cols ?? 80), '-y', String(opts.rows ?? 24), '-c', REPO],
      `exec ${line}${opts.redirect ? ` ${opts.redirect}` : ''}`,
      guardedEnv({TERM: 'xterm-256color', ...opts.env}),
    )
    return terminal
  }

  /** What the terminal shows now. */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J'])
  }

  /** Types keys, in tmux's names (e.g. 'C-c'). */
  sendKeys(...keys: string[]): void {
    this.tmux(['send-keys', ...keys])
  }

  /** Closes the terminal, as closing its window does: the program's session gets SIGHUP. */
  hangUp(): void {
    this.tmux(['kill-server'])
  }

  /** How lanmsg ended, once it has. */
  async exited(timeoutMs: number): Promise<TerminalExit> {
    const deadline = Date.now() + timeoutMs
    while (!existsSync(this.statusFile)) {
      if (Date.now() > deadline) throw new Error(`lanmsg did not end within ${timeoutMs} ms:\n${this.safeScreen()}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    return JSON.parse(readFileSync(this.statusFile, 'utf8')) as TerminalExit
  }

  /** Waits until the screen matches. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const screen = this.safeScreen()
      if (pattern.test(screen)) return screen
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}:\n${screen}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  close(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server'], {stdio: 'ignore'})
    rmSync(this.dir, {force: true, recursive: true})
  }

  private safeScreen(): string {
    try {
      return this.screen()
    } catch {
      return '(the terminal is gone)'
    }
  }

  private tmux(args: string[], command?: string, env?: NodeJS.ProcessEnv): string {
    const argv = ['-S', this.socket, '-f', join(this.dir, 'tmux.conf'), ...args]
    if (args[0] !== 'new-session' && args[0] !== 'kill-server') argv.splice(5, 0, '-t', '0')
    if (command !== undefined) argv.push(command)
    return execFileSync('tmux', argv, {encoding: 'utf8', env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']})
  }
}
