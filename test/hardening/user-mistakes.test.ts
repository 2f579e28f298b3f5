// User mistakes: every flag with a bad value is answered with ONE line that names the flag and what it accepts,
// exit code 2 and no stack trace; with --json the same answer is {"error": {...}} on stdout and nothing on stderr.
// The matrix runs in one node process (cli-batch.ts: oclif's run(), as bin/dev.js calls it, once per command
// line); a sample runs as real processes to check the exit code the shell sees.
// Network rule: a command line whose mistake went unnoticed would send only to 127.0.0.1 (--to, --port P).
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {guardedEnv} from '../support/send-guard.js'
import {freeUdpPort, makeStateDir, nonEmptyLines, REPO_ROOT, runCli, STACK_TRACE} from '../support/hostile.js'

const BATCH = fileURLToPath(new URL('cli-batch.ts', import.meta.url))

interface Mistake {
  command: 'announce' | 'listen'
  /** The mistaken flags (they replace the safe defaults of the same name). */
  flags: string[]
  /** The flag the message must name. */
  names: string
  /** What the message must say is accepted. */
  accepts: RegExp
}

const PORTS = /from 1 to 65535/
const DURATION = /duration such as 3s, 500ms, 2m/
const TARGET = /IPv4 address or CIDR \(e\.g\. 192\.168\.1\.255 or 192\.168\.1\.0\/24\)/

const MISTAKES: Mistake[] = [
  ...(['announce', 'listen'] as const).flatMap((command): Mistake[] => [
    {command, flags: ['--port', '0'], names: '--port', accepts: PORTS},
    {command, flags: ['--port', '70000'], names: '--port', accepts: PORTS},
    {command, flags: ['--port', 'abc'], names: '--port', accepts: PORTS},
    {command, flags: ['--port=-1'], names: '--port', accepts: PORTS},
    {command, flags: ['--to', '300.1.1.1'], names: '--to 300.1.1.1', accepts: TARGET},
    {command, flags: ['--to', '::1'], names: '--to ::1', accepts: /IPv4 address or CIDR.*IPv6 is not supported/},
    {command, flags: ['--to', '10.0.0.0/31'], names: '--to 10.0.0.0/31', accepts: /a \/30 or shorter prefix/},
    {command, flags: ['--to', '0x7f.1'], names: '--to 0x7f.1', accepts: /IPv4 address.*e\.g\. 192\.168\.1\.255/},
    {command, flags: ['--to', '127.1'], names: '--to 127.1', accepts: TARGET},
    {command, flags: ['--interface', 'nosuch0'], names: '--interface nosuch0', accepts: /available: .*lo/},
    {command, flags: ['--encoding', 'klingon'], names: '--encoding', accepts: /use one of utf-8, gbk, gb18030/},
  ]),
  {command: 'announce', flags: ['--bind-port', '99999'], names: '--bind-port', accepts: /from 0 to 65535/},
  {command: 'announce', flags: ['--bind-port', '-1'], names: '--bind-port', accepts: /from 0 to 65535/},
  {command: 'announce', flags: ['--wait', '-1'], names: '--wait', accepts: DURATION},
  {command: 'announce', flags: ['--wait', '3x'], names: '--wait', accepts: DURATION},
  {command: 'announce', flags: ['--interval', '-5s'], names: '--interval', accepts: DURATION},
  // Beyond Node's timer limit a timer fires at once: refused instead of a wait that never ends or ends at once.
  {command: 'announce', flags: ['--wait', '600h'], names: '--wait', accepts: /the longest is 596h/},
  {command: 'announce', flags: ['--interval', '600h'], names: '--interval', accepts: /the longest is 596h/},
  {command: 'listen', flags: ['--duration', '600h'], names: '--duration', accepts: /the longest is 596h/},
  {command: 'announce', flags: ['--retries', '-1'], names: '--retries', accepts: /whole number \(0 or more\)/},
  {command: 'announce', flags: ['--retries', '2.5'], names: '--retries', accepts: /whole number \(0 or more\)/},
  {command: 'announce', flags: ['--repeat', '0'], names: '--repeat', accepts: /whole number of at least 1/},
  {command: 'announce', flags: ['--expect', '0'], names: '--expect', accepts: /whole number of at least 1/},
  {command: 'announce', flags: ['--command', 'NOPE'], names: '--command NOPE', accepts: /SENDMSG, BR_ENTRY.*0-255/},
  {
    command: 'announce',
    flags: ['--option', 'NOPE'],
    names: '--option NOPE',
    accepts: /such as SENDCHECKOPT.*or a number/,
  },
  {command: 'announce', flags: ['--raw', String.raw`bad\q`], names: '--raw', accepts: /\\n \\r \\t \\0 \\\\ or \\xNN/},
  {command: 'announce', flags: ['--raw', String.raw`\x4`], names: '--raw', accepts: /two hex digits/},
  {
    command: 'announce',
    flags: ['--raw-hex', 'zz'],
    names: '--raw-hex',
    accepts: /pairs of hex digits such as "31 3a 31 3a"/,
  },
  {command: 'listen', flags: ['--duration', '-5s'], names: '--duration', accepts: DURATION},
  {command: 'listen', flags: ['--duration', 'forever'], names: '--duration', accepts: DURATION},
  {command: 'listen', flags: ['--expire', '3x'], names: '--expire', accepts: DURATION},
  {command: 'listen', flags: ['--count', '0'], names: '--count', accepts: /whole number of at least 1/},
  {command: 'listen', flags: ['--from', 'nothing'], names: '--from nothing', accepts: /IPv4 address or CIDR \(e\.g\./},
  {command: 'listen', flags: ['--from', '10.0.0.0/33'], names: '--from 10.0.0.0/33', accepts: /IPv4 address or CIDR/},
  {command: 'listen', flags: ['--mode', 'NOPE'], names: '--mode NOPE', accepts: /SENDMSG, BR_ENTRY.*0-255/},
  {
    command: 'listen',
    flags: ['--address', '300.1.1.1'],
    names: '--address',
    accepts: /IPv4 address such as 0\.0\.0\.0/,
  },
]

/** Mistakes oclif itself catches: one line, exit 2, the flag named (no list of values to give). */
const PARSER_MISTAKES: Array<{argv: string[]; names: string}> = [
  {argv: ['announce', '--port'], names: '--port'},
  {argv: ['announce', '--nope'], names: '--nope'},
  {argv: ['listen', '--bind-port', '5'], names: '--bind-port'},
  {argv: ['listen', '--ndjson', '--peers'], names: '--ndjson'},
  {argv: ['announce', '--raw', 'x', '--command', 'GETINFO'], names: '--command'},
  {argv: ['announce', '--wait', '1s', '--wait', '2s'], names: '--wait'},
  {argv: ['announce', 'one', 'two'], names: 'two'},
  // --respond's flags without --respond used to be ignored without a word.
  {argv: ['listen', '--to', '127.0.0.1', '--duration', '1s'], names: '--to: --respond'},
  {argv: ['listen', '--interface', 'lo', '--duration', '1s'], names: '--interface: --respond'},
  {argv: ['listen', '--absent', 'lunch', '--duration', '1s'], names: '--absent: --respond'},
]

/** The command line: safe defaults (loopback only, short) with the mistake's flags in place of their defaults. */
function commandLine(m: Mistake, port: number): string[] {
  const own = new Set(m.flags.filter((f) => f.startsWith('--')).map((f) => f.split('=')[0]))
  const respond = m.command === 'listen' && (own.has('--to') || own.has('--interface')) // --respond's flags
  const defaults: Array<[string, string]> =
    m.command === 'announce'
      ? [
          ['--to', '127.0.0.1'],
          ['--port', String(port)],
          ['--bind-port', '0'],
          ['--wait', '0'],
        ]
      : [
          ['--port', String(port)],
          ['--duration', '1s'],
          ...(respond ? [['--to', '127.0.0.1'] as [string, string]] : []),
        ]
  const args: string[] = m.command === 'announce' ? ['announce', 'hi'] : ['listen', ...(respond ? ['--respond'] : [])]
  for (const [flag, value] of defaults) if (!own.has(flag)) args.push(flag, value)
  return [...args, ...m.flags]
}

/** A listen line gets a free port, so that a mistake that went unnoticed would not take 2425. */
function parserLine(p: {argv: string[]}, port: number): string[] {
  return p.argv[0] === 'listen' && !p.argv.includes('--port') ? [...p.argv, '--port', String(port)] : p.argv
}

interface BatchResult {
  argv: string[]
  exitCode: number
  stdout: string
  stderr: string
  escaped?: string
}

function runBatch(list: string[][], env: NodeJS.ProcessEnv): Promise<BatchResult[]> {
  return new Promise((resolve, reject) => {
    // cli-batch.ts is TypeScript and runs the source through oclif's development mode: it needs tsx. Not measured
    // by c8: tsx compiles src/ here as CommonJS, in mocha as ES modules, and c8 would mix the two compilations'
    // offsets (scripts/coverage-consistency.mjs).
    const child = spawn(process.execPath, ['--import', 'tsx', BATCH], {
      cwd: REPO_ROOT,
      env: guardedEnv({NO_COLOR: '1', NODE_V8_COVERAGE: undefined, ...env}),
    })
    let out = ''
    let err = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000)
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(nonEmptyLines(out).map((line) => JSON.parse(line)))
      else reject(new Error(`cli-batch exited ${code}: ${err}`))
    })
    child.stdin.end(JSON.stringify(list))
  })
}

describe('hardening: user mistakes', function () {
  this.timeout(60_000)
  let state: ReturnType<typeof makeStateDir>
  let port: number
  const results = new Map<string, BatchResult>()
  const key = (argv: string[]) => JSON.stringify(argv)

  before(async () => {
    state = makeStateDir()
    port = await freeUdpPort()
    const lines = [
      ...MISTAKES.flatMap((m) => [commandLine(m, port), [...commandLine(m, port), '--json']]),
      ...PARSER_MISTAKES.flatMap((p) => [parserLine(p, port), [...parserLine(p, port), '--json']]),
    ]
    for (const result of await runBatch(lines, {LANMSG_STATE_DIR: state.dir})) results.set(key(result.argv), result)
    expect(results.size).to.equal(lines.length)
  })
  after(() => state.remove())

  for (const m of MISTAKES) {
    const label = `${m.command} ${m.flags.join(' ')}`
    it(`${label}: one line naming ${m.names} and what it accepts, exit 2`, () => {
      const r = results.get(key(commandLine(m, port)))!
      expect(r.escaped, 'error escaped the command').to.equal(undefined)
      expect(r.exitCode, r.stderr + r.stdout).to.equal(2)
      expect(r.stdout).to.equal('')
      const lines = nonEmptyLines(r.stderr)
      expect(lines, r.stderr).to.have.length(1)
      expect(lines[0]).to.match(/^Error: /)
      expect(lines[0]).to.include(m.names)
      expect(lines[0]).to.match(m.accepts)
      expect(r.stderr).not.to.match(STACK_TRACE)
    })

    it(`${label} --json: {"error": {...}} on stdout with the same message`, () => {
      const plain = results.get(key(commandLine(m, port)))!
      const r = results.get(key([...commandLine(m, port), '--json']))!
      expect(r.escaped).to.equal(undefined)
      expect(r.exitCode).to.equal(2)
      expect(r.stderr, 'nothing on stderr with --json').to.equal('')
      const doc = JSON.parse(r.stdout)
      expect(Object.keys(doc)).to.deep.equal(['error'])
      expect(doc.error.exitCode).to.equal(2)
      expect(`Error: ${doc.error.message}`).to.equal(nonEmptyLines(plain.stderr)[0])
    })
  }

  for (const p of PARSER_MISTAKES) {
    it(`${p.argv.join(' ')}: one line naming ${p.names}, exit 2 (and as JSON)`, () => {
      const r = results.get(key(parserLine(p, port)))!
      expect(r.escaped).to.equal(undefined)
      expect(r.exitCode, r.stderr).to.equal(2)
      const lines = nonEmptyLines(r.stderr)
      expect(lines, r.stderr).to.have.length(1)
      expect(lines[0]).to.match(/^Error: /)
      expect(lines[0]).to.include(p.names)
      expect(r.stderr).not.to.match(STACK_TRACE)
      const json = results.get(key([...parserLine(p, port), '--json']))!
      expect(json.exitCode).to.equal(2)
      expect(json.stderr).to.equal('')
      expect(JSON.parse(json.stdout).error.exitCode).to.equal(2)
    })
  }

  it('the same answers from real processes (exit status as the shell sees it)', async () => {
    const sample = [MISTAKES[1], MISTAKES.find((m) => m.flags[0] === '--raw-hex')!, MISTAKES.at(-2)!]
    const runs = await Promise.all(
      sample.flatMap((m) => [
        runCli(commandLine(m, port), {env: {LANMSG_STATE_DIR: state.dir}}),
        runCli([...commandLine(m, port), '--json'], {env: {LANMSG_STATE_DIR: state.dir}}),
      ]),
    )
    for (const [i, m] of sample.entries()) {
      const [plain, json] = [runs[2 * i], runs[2 * i + 1]]
      expect(plain.code, plain.stderr).to.equal(2)
      expect(nonEmptyLines(plain.stderr)).to.deep.equal([`Error: ${JSON.parse(json.stdout).error.message}`])
      expect(plain.stderr).to.include(m.names)
      expect(plain.stdout).to.equal('')
      expect(json.code).to.equal(2)
      expect(json.stderr).to.equal('')
    }
  })
})
