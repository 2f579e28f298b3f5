// A real pseudo-terminal for tests: a command runs in a detached tmux pane of a chosen size, on a tmux server of
// its own (a private socket, so no other tmux is touched), and the test reads the screen as a person would see
// it, plus every byte the program wrote to the terminal (pipe-pane). The command gets the send guard (guardedEnv).
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CLI_BIN} from './cli-bin.js'
import {guardedEnv} from './send-guard.js'

export interface PaneOptions {
  columns: number
  rows: number
  /** Environment for the command (over process.env; NO_COLOR and FORCE_COLOR are removed unless given here). */
  env?: NodeJS.ProcessEnv
  /** Shell redirections after the command, e.g. `2>/tmp/file`. */
  redirect?: string
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", String.raw`'\''`)}'`
}

let panes = 0

export class TmuxPane {
  private constructor(
    private readonly socket: string,
    private readonly dir: string,
  ) {}

  /** Bytes written to the terminal so far (escape sequences included). */
  get output(): Buffer {
    try {
      return readFileSync(join(this.dir, 'output'))
    } catch {
      return Buffer.alloc(0)
    }
  }

  /** `lanmsg ARGS` (the built CLI) in a new pane; the pane stays after the command exits, to be read. */
  static lanmsg(args: string[], opts: PaneOptions): TmuxPane {
    return TmuxPane.start([process.execPath, CLI_BIN, ...args], opts)
  }

  static start(command: string[], opts: PaneOptions): TmuxPane {
    const dir = mkdtempSync(join(tmpdir(), 'lanmsg-tmux-'))
    const socket = `lanmsg-test-${process.pid}-${++panes}`
    // No status line (the pane gets every row), a pane that stays after its command, room for the scrollback.
    writeFileSync(
      join(dir, 'tmux.conf'),
      'set -g status off\nset -g remain-on-exit on\nset -g history-limit 100000\nset -g default-terminal screen\n',
    )
    const env = guardedEnv({...opts.env})
    for (const name of ['NO_COLOR', 'FORCE_COLOR']) if (opts.env?.[name] === undefined) delete env[name]
    delete env.TMUX
    const exports = Object.entries({...opts.env})
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name}=${shellQuote(value!)}`)
    // The command waits until the output is being captured (pipe-pane starts only once the pane exists). The shell
    // stays to write the command's exit status to a file: tmux 3.3 sometimes marks the pane dead without ever
    // reaping the process, and then never has its status. It ignores Ctrl-C (a no-op trap, not inherited).
    const line =
      `read -r _ < ${shellQuote(join(dir, 'go'))}; trap : INT; ` +
      `env ${exports.join(' ')} ${command.map((w) => shellQuote(w)).join(' ')} ${opts.redirect ?? ''}; ` +
      `echo $? > ${shellQuote(join(dir, 'status'))}`
    execFileSync('mkfifo', [join(dir, 'go')])
    const pane = new TmuxPane(socket, dir)
    pane.tmux(
      [
        '-f',
        join(dir, 'tmux.conf'),
        'new-session',
        '-d',
        '-s',
        'test',
        '-x',
        String(opts.columns),
        '-y',
        String(opts.rows),
        line,
      ],
      env,
    )
    pane.tmux(['pipe-pane', '-t', 'test', '-o', `cat >> ${shellQuote(join(dir, 'output'))}`])
    writeFileSync(join(dir, 'go'), 'go\n')
    return pane
  }

  /** What the screen shows now, one string per row, trailing blanks removed. */
  screen(): string[] {
    return this.tmux(['capture-pane', '-p', '-t', 'test']).replace(/\n+$/, '').split('\n')
  }

  /** The scrollback and the screen, with lines that the terminal wrapped joined again (-J). */
  history(): string[] {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', 'test']).replace(/\n+$/, '').split('\n')
  }

  /** Sends keys as typed (tmux key names: `C-c`). */
  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', 'test', ...keys])
  }

  /** The command's exit status (128 + the signal's number when a signal ended it) once it has exited, else undefined. */
  exitStatus(): number | undefined {
    try {
      const status = readFileSync(join(this.dir, 'status'), 'utf8')
      return status.endsWith('\n') ? Number(status) : undefined
    } catch {
      return undefined
    }
  }

  /** Polls the screen until `check` is true; throws with the screen after `timeoutMs`. */
  async waitFor(check: (screen: string[]) => boolean, timeoutMs = 20_000, what = 'the screen'): Promise<string[]> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const screen = this.screen()
      if (check(screen)) return screen
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; the screen:\n${screen.join('\n')}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  async waitForExit(timeoutMs = 20_000): Promise<number> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const status = this.exitStatus()
      if (status !== undefined) return status
      if (Date.now() > until) throw new Error(`still running after ${timeoutMs} ms:\n${this.screen().join('\n')}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** Ends the tmux server (and the command, if it still runs) and removes the files. */
  close(): void {
    try {
      this.tmux(['kill-server'])
    } catch {
      // already gone
    }

    rmSync(this.dir, {force: true, recursive: true})
  }

  private tmux(args: string[], env?: NodeJS.ProcessEnv): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8', env: env ?? process.env})
  }
}
