// Runs many lanmsg command lines in ONE node process, as bin/dev.js would run each of them, and prints one JSON
// object per run: {argv, exitCode, stdout, stderr, escaped}. Spawning node + tsx + oclif costs ~1 s of CPU per
// command line; the flag-mistake matrix has ~80 of them. Usage: node bin-less, see user-mistakes.test.ts.
// Input: a JSON array of argv arrays on stdin. Output: one JSON line per run on the real stdout.
import {run, settings} from '@oclif/core'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
// The commands from the source (src/main.ts's COMMANDS, through tsx), as bin/dev.js runs them: with the manifest
// that `npm run build` leaves, oclif would import dist/commands instead (no coverage is measured here either way).
const pjson = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'))
pjson.oclif.commands = {strategy: 'explicit', target: './src/main.ts', identifier: 'COMMANDS'}
const DEV = {root: ROOT, pjson}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const realStdoutWrite = process.stdout.write.bind(process.stdout)
const realStderrWrite = process.stderr.write.bind(process.stderr)

async function runOne(argv: string[]): Promise<Record<string, unknown>> {
  let stdout = ''
  let stderr = ''
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return true
  }) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return true
  }) as typeof process.stderr.write
  process.exitCode = undefined
  let escaped: string | undefined
  try {
    await run(argv, DEV)
  } catch (error) {
    // An error that escaped the command's catch() would end the real process with oclif's handler.
    escaped = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  } finally {
    process.stdout.write = realStdoutWrite
    process.stderr.write = realStderrWrite
  }

  const exitCode = process.exitCode ?? 0
  process.exitCode = undefined
  return {argv, exitCode, stdout, stderr, escaped}
}

// As bin/dev.js: execute({development: true}).
process.env.NODE_ENV = 'development'
settings.debug = true
const list = JSON.parse(await readStdin()) as string[][]
for (const argv of list) realStdoutWrite(`${JSON.stringify(await runOne(argv))}\n`)
process.exitCode = 0
