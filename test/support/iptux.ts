// A real iptux (0.8.3, the Debian package) in a host of a SimulatedLan, headless: its own Xvfb display and
// session bus in that host's namespace, its own HOME and JSON config, and xdotool to drive its windows.
//
// Per instance, every process runs inside the host's namespace through lan.exec (so lan.destroy() kills them too):
//   Xvfb -displayfd 1   a private display; X11's abstract socket is per network namespace, so Xvfb runs where
//                       iptux runs; -displayfd picks a free :N (lock files in /tmp), so parallel runs don't clash
//   dbus-daemon         a private session bus: two GtkApplications with iptux's id on one bus would merge into one
//   iptux -c CONFIG     with HOME and XDG_CONFIG_HOME in a temporary directory; its chat log is
//                       $XDG_CONFIG_HOME/iptux/log/communicate.log, one entry per message it displays or sends
// Ready when iptux holds UDP 2425 in the namespace and its main window ("Iptux") is mapped.
// Typing (say) gives non-ASCII characters keys of their own with xkbcomp first; quitting is Ctrl+Q (BR_EXIT).
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Suite} from 'mocha'

import {type Host, type NetnsProcess, netnsSkipReason, type SimulatedLan, useSimulatedLan} from './netns.js'

const TOOLS = ['iptux', 'Xvfb', 'xdotool', 'xkbcomp', 'dbus-daemon'] as const
/** iptux's chat log frames each entry with these lines (LogSystem). */
const ENTRY_START = '====================================='
const ENTRY_END = '-------------------------------------'
const HEADER = /^\((.+)\) (Recevied-From|Send-To): Nickname:(.*) User:(.*) Host:(.*):$/

export interface IptuxConfig {
  /** nick_name */
  nickname: string
  /** belong_group */
  group?: string
  /** preference_encode: the charset iptux tries first for non-iptux peers and uses for its broadcasts (utf-8). */
  encoding?: string
  /** candidacy_encode: its fallbacks (default "gb18030,utf-16"). */
  candidateEncodings?: string
}

/** One entry of iptux's chat log: a message it displayed (received) or sent. */
export interface ChatEntry {
  direction: 'received' | 'sent'
  /** iptux's time stamp, as written (local time, ctime format). */
  time: string
  /** The pal's nickname as iptux shows it. */
  nickname: string
  user: string
  host: string
  text: string
}

let noted = false

/**
 * For a suite's `before`: undefined when a real iptux can run here (network namespaces, iptux, Xvfb, xdotool, xkbcomp,
 * dbus-daemon). Otherwise, under LANMSG_REQUIRE_IPTUX=1 (CI) it throws with the reason; else it prints one note
 * and returns the reason, and the caller skips.
 */
export function iptuxSkipReason(): string | undefined {
  let reason = netnsSkipReason()
  if (!reason) {
    const missing = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
    if (missing.length > 0)
      reason = `not installed: ${missing.join(', ')} (apt-get install iptux xvfb xdotool x11-xkb-utils dbus)`
  }

  if (!reason) return undefined
  if (process.env.LANMSG_REQUIRE_IPTUX === '1') {
    throw new Error(`LANMSG_REQUIRE_IPTUX=1 but a real iptux cannot run here: ${reason}`)
  }

  if (!noted) {
    noted = true
    console.log(`      note: skipping the real-iptux tests: ${reason} (LANMSG_REQUIRE_IPTUX=1 makes this a failure)`)
  }

  return reason
}

/**
 * Gives a mocha suite (`this` in its describe callback) a simulated LAN of `hosts` hosts with a real iptux in the
 * first, both gone after the suite; skipped, or failed under LANMSG_REQUIRE_IPTUX=1, where iptux cannot run.
 */
export function useIptuxLan(
  suite: Suite,
  hosts: number,
  config: IptuxConfig,
  start: (lan: SimulatedLan, iptux: Iptux) => unknown,
): void {
  let iptux: Iptux | undefined
  useSimulatedLan(suite, {
    hosts,
    skipReason: iptuxSkipReason,
    async start(lan) {
      iptux = await Iptux.start(lan, lan.hosts[0], config)
      await start(lan, iptux)
    },
    stop: () => iptux?.stop(),
  })
}

/** Parses iptux's communicate.log. */
export function parseChatLog(log: string): ChatEntry[] {
  const entries: ChatEntry[] = []
  const lines = log.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== ENTRY_START) continue
    const header = HEADER.exec(lines[i + 1] ?? '')
    if (!header) continue
    const end = lines.indexOf(ENTRY_END, i + 2)
    if (end === -1) break // still being written
    const body = lines.slice(i + 2, end).join('\n')
    entries.push({
      direction: header[2] === 'Send-To' ? 'sent' : 'received',
      time: header[1],
      nickname: header[3],
      user: header[4],
      host: header[5],
      text: body.replace(/^\[STRING]/, ''),
    })
    i = end
  }

  return entries
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Resolves with the first line of a process's stdout (e.g. Xvfb's display number). */
async function firstLine(proc: NetnsProcess, what: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  while (!proc.stdout.includes('\n')) {
    if (proc.exited) throw new Error(`${what} exited before it was ready\n${proc.describe()}`)
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs} ms\n${proc.describe()}`)
    await delay(20)
  }

  return proc.stdout.slice(0, proc.stdout.indexOf('\n')).trim()
}

export class Iptux {
  /** The iptux process itself (its stderr is iptux's `-l INFO` log: every datagram it sends and receives). */
  readonly process: NetnsProcess
  private stopped = false
  /** Characters given a key of their own (mapKeys), the display's original keymap, and its unbound keycodes. */
  private readonly keys = new Map<string, string>()
  private keymap: string | undefined
  private spareKeys: string[] = []

  // eslint-disable-next-line max-params -- private: only start() calls it, with what it set up
  private constructor(
    readonly lan: SimulatedLan,
    readonly host: Host,
    readonly config: IptuxConfig,
    readonly dir: string,
    readonly env: NodeJS.ProcessEnv,
    private readonly helpers: NetnsProcess[],
    iptux: NetnsProcess,
  ) {
    this.process = iptux
  }

  get address(): string {
    return this.host.address
  }

  get chatLogPath(): string {
    return join(this.env.XDG_CONFIG_HOME!, 'iptux', 'log', 'communicate.log')
  }

  /** Starts iptux in this host and resolves once it is ready (UDP 2425 bound, main window mapped). */
  // eslint-disable-next-line max-lines-per-function -- iptux's start-up steps, in order
  static async start(lan: SimulatedLan, host: Host, config: IptuxConfig): Promise<Iptux> {
    const dir = mkdtempSync(join(tmpdir(), `lanmsg-netns-${process.pid}-iptux-`)) // swept like netns.ts's if a run crashes
    const home = join(dir, 'home')
    const configHome = join(home, '.config')
    mkdirSync(join(configHome, 'iptux', 'log'), {recursive: true})
    const configPath = join(dir, 'config.json')
    writeFileSync(
      configPath,
      JSON.stringify({
        nick_name: config.nickname,
        belong_group: config.group ?? '',
        preference_encode: config.encoding ?? 'utf-8',
        candidacy_encode: config.candidateEncodings ?? 'gb18030,utf-16',
        open_chat: true, // a message opens its chat window, where xdotool can type an answer
        use_enter_key: true, // Return sends
        record_log: true,
        scan_net_segment: [], // no unicast sweep of configured segments at start
        hide_startup: false,
      }),
    )
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: configHome,
      LANG: 'C.UTF-8', // untranslated chat log headers
      LC_ALL: 'C.UTF-8',
      NO_AT_BRIDGE: '1',
    }
    const helpers: NetnsProcess[] = []
    const startHelper = (argv: string[], env = baseEnv) => {
      const proc = lan.exec(host, argv, {env})
      helpers.push(proc)
      return proc
    }

    try {
      const xvfb = startHelper(['Xvfb', '-displayfd', '1', '-nolisten', 'tcp', '-screen', '0', '1024x768x24'])
      const display = `:${await firstLine(xvfb, 'Xvfb')}`
      const bus = startHelper([
        'dbus-daemon',
        '--session',
        '--nofork',
        '--nopidfile',
        '--print-address=1',
        `--address=unix:path=${join(dir, 'bus')}`,
      ])
      const busAddress = await firstLine(bus, 'dbus-daemon')
      const env = {...baseEnv, DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: busAddress}
      const proc = lan.exec(host, ['iptux', '-c', configPath, '-l', 'INFO'], {env})
      const iptux = new Iptux(lan, host, config, dir, env, helpers, proc)
      try {
        await proc.waitBound(2425, 30_000)
        await iptux.waitForWindow(/^Iptux$/, 30_000)
      } catch (error) {
        await iptux.stop()
        throw error
      }

      return iptux
    } catch (error) {
      for (const helper of helpers) helper.kill('SIGKILL')
      await Promise.all(helpers.map((h) => h.wait(5000)))
      rmSync(dir, {force: true, recursive: true})
      throw error
    }
  }

  /** Every entry of the chat log so far. */
  chatLog(): ChatEntry[] {
    try {
      return parseChatLog(readFileSync(this.chatLogPath, 'utf8'))
    } catch {
      return []
    }
  }

  /** The messages iptux displayed (received from pals). */
  received(): ChatEntry[] {
    return this.chatLog().filter((entry) => entry.direction === 'received')
  }

  /** Waits until the chat log holds an entry that matches. */
  async waitForChat(
    predicate: (entry: ChatEntry) => boolean,
    timeoutMs = 10_000,
    what = 'a chat entry',
  ): Promise<ChatEntry> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.chatLog().find(predicate)
      if (found) return found
      if (this.process.exited) throw new Error(`iptux exited before ${what}\n${this.describe()}`)
      if (Date.now() > deadline) throw new Error(`iptux: no ${what} within ${timeoutMs} ms\n${this.describe()}`)
      await delay(50)
    }
  }

  /**
   * Waits until iptux's own log (stderr, `-l INFO`) shows a datagram from this address after `since` (an earlier
   * `this.process.stderr.length`): proof that iptux has read it, for tests that must not race it.
   */
  async waitForDatagramFrom(address: string, since = 0, timeoutMs = 10_000): Promise<void> {
    const line = `received udp message from ${address}:`
    const deadline = Date.now() + timeoutMs
    while (!this.process.stderr.includes(line, since)) {
      if (this.process.exited) throw new Error(`iptux exited before a datagram from ${address}\n${this.describe()}`)
      if (Date.now() > deadline) {
        throw new Error(`iptux: no datagram from ${address} within ${timeoutMs} ms\n${this.describe()}`)
      }

      await delay(50)
    }
  }

  /** Runs xdotool on this instance's display; resolves with its stdout. */
  async xdotool(...args: string[]): Promise<string> {
    const result = await this.lan.exec(this.host, ['xdotool', ...args], {env: this.env}).wait(15_000)
    if (result.code !== 0 && !(args[0] === 'search' && result.code === 1)) {
      throw new Error(`xdotool ${args.join(' ')} failed (${result.code ?? result.signal}): ${result.stderr.trim()}`)
    }

    return result.stdout
  }

  /** The mapped windows: id and title. */
  async windows(): Promise<Array<{id: string; name: string}>> {
    const ids = (await this.xdotool('search', '--onlyvisible', '--name', '.')).split('\n').filter(Boolean)
    const windows = []
    for (const id of ids) windows.push({id, name: (await this.xdotool('getwindowname', id)).replace(/\n$/, '')})
    return windows
  }

  /** Waits for a mapped window whose title matches; resolves with its id. */
  async waitForWindow(title: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = (await this.windows()).find((w) => title.test(w.name))
      if (found) return found.id
      if (this.process.exited) throw new Error(`iptux exited before a window ${title}\n${this.describe()}`)
      if (Date.now() > deadline) {
        throw new Error(`iptux: no window ${title} within ${timeoutMs} ms\n${this.describe()}`)
      }

      await delay(100)
    }
  }

  /**
   * Sends TEXT to the pal at this address the way a user does: types it into the pal's chat window and presses
   * Return. The window must be open (open_chat opens it when that pal's message arrives).
   */
  async say(palAddress: string, text: string): Promise<void> {
    const window = await this.waitForWindow(new RegExp(` IP:${palAddress.replaceAll('.', String.raw`\.`)}$`))
    await this.mapKeys(text)
    await this.xdotool('windowfocus', '--sync', window)
    await this.xdotool('type', '--delay', '20', '--', text)
    await this.xdotool('key', 'Return')
    const sent = (e: ChatEntry) => e.direction === 'sent' && e.text === text
    await this.waitForChat(sent, 10_000, `sent message ${JSON.stringify(text)}`)
  }

  /**
   * Gives every non-ASCII character of TEXT a key of its own in the display's keymap (xkbcomp), before typing.
   * Left to itself, xdotool maps such a character onto a spare key for one keystroke and maps it back at once,
   * and a busy GTK may read the key after it was mapped back: characters went missing (收到，谢谢！ typed as ，谢).
   */
  private async mapKeys(text: string): Promise<void> {
    const wanted = [...new Set(text)].filter((c) => c.codePointAt(0)! > 0x7e && !this.keys.has(c))
    if (wanted.length === 0) return
    const file = join(this.dir, 'keymap.xkb')
    const xkbcomp = async (...args: string[]) => {
      const result = await this.lan.exec(this.host, ['xkbcomp', ...args], {env: this.env}).wait(15_000)
      if (result.code !== 0) throw new Error(`xkbcomp ${args.join(' ')} failed: ${result.stderr.trim()}`)
    }

    if (this.keymap === undefined) {
      await xkbcomp('-xkb', this.env.DISPLAY!, file)
      this.keymap = readFileSync(file, 'utf8')
      const keycodes = this.keymap.slice(this.keymap.indexOf('xkb_keycodes'), this.keymap.indexOf('xkb_types'))
      const symbols = this.keymap.slice(this.keymap.indexOf('xkb_symbols'))
      const bound = new Set([...symbols.matchAll(/key\s+<([^>]+)>/g)].map((m) => m[1]))
      this.spareKeys = [...keycodes.matchAll(/<([^>]+)>\s*=\s*\d+;/g)].map((m) => m[1]).filter((k) => !bound.has(k))
    }

    if (this.keys.size + wanted.length > this.spareKeys.length) {
      throw new Error(`Iptux.say: at most ${this.spareKeys.length} distinct non-ASCII characters per instance`)
    }

    for (const c of wanted) this.keys.set(c, this.spareKeys[this.keys.size])
    const lines = [...this.keys].map(
      ([c, key]) => `    key <${key}> { [ U${c.codePointAt(0)!.toString(16).toUpperCase()} ] };\n`,
    )
    const end = this.keymap.indexOf('\n};', this.keymap.indexOf('xkb_symbols')) + 1
    writeFileSync(file, this.keymap.slice(0, end) + lines.join('') + this.keymap.slice(end))
    // GTK hears of the new keymap before the keys typed after it (X delivers events in order).
    await xkbcomp(file, this.env.DISPLAY!)
  }

  /** Quits the way a user does (Ctrl+Q on the main window): iptux sends BR_EXIT to every pal, then exits. */
  async quit(timeoutMs = 15_000): Promise<void> {
    const main = await this.waitForWindow(/^Iptux$/)
    await this.xdotool('windowfocus', '--sync', main)
    await this.xdotool('key', 'ctrl+q')
    const result = await this.process.wait(timeoutMs)
    if (result.timedOut) throw new Error(`iptux did not quit on Ctrl+Q within ${timeoutMs} ms\n${this.describe()}`)
  }

  /** Ends iptux (if still running), its bus and its display, and removes its files. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.process.kill('SIGKILL')
    await this.process.wait(5000)
    for (const helper of this.helpers) helper.kill('SIGTERM')
    await Promise.all(this.helpers.map((h) => h.wait(5000)))
    rmSync(this.dir, {force: true, recursive: true})
  }

  /** For error messages: iptux's log (last part) and its chat log. */
  describe(): string {
    let chat = ''
    try {
      chat = readFileSync(this.chatLogPath, 'utf8')
    } catch {}

    return `${this.process.describe()}\n--- chat log\n${chat.slice(-2000)}`
  }
}
