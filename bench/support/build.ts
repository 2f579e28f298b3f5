// The benchmarks measure the built CLI (bin/run.js → dist/ with oclif.manifest.json). Build first when dist/ is
// missing or older than the sources or package.json; regenerate the manifest alone when only it is missing.
import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {cli, ROOT} from './proc.js'

function newest(dir: string): number {
  let latest = 0
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }

  return latest
}

function oldest(dir: string): number {
  let earliest = Number.POSITIVE_INFINITY
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    earliest = Math.min(earliest, entry.isDirectory() ? oldest(path) : statSync(path).mtimeMs)
  }

  return earliest
}

/** Why dist/ needs a build, or undefined when it is up to date. */
export function staleReason(): string | undefined {
  const dist = join(ROOT, 'dist')
  const manifest = join(ROOT, 'oclif.manifest.json')
  if (!existsSync(join(dist, 'commands'))) return 'dist/ is missing'
  const built = oldest(dist)
  const sources = Math.max(
    newest(join(ROOT, 'src')),
    statSync(join(ROOT, 'package.json')).mtimeMs,
    statSync(join(ROOT, 'tsconfig.json')).mtimeMs,
    statSync(join(ROOT, 'native', 'recv_batch.c')).mtimeMs,
  )
  if (sources > built) return 'src/ changed since the last build'
  return existsSync(manifest) ? undefined : 'oclif.manifest.json is missing'
}

/** Runs `npm run build` when needed; throws when the build fails. Returns what it did. */
export function ensureBuilt(log: (message: string) => void): string {
  const reason = staleReason()
  if (!reason) return 'dist/ up to date'
  if (reason === 'oclif.manifest.json is missing') {
    // bin/dev.js (the tests' launcher) deletes the manifest; dist/ itself is fine: only regenerate the manifest.
    log('oclif.manifest.json is missing (removed by bin/dev.js?): npx oclif manifest')
    const result = spawnSync('npx', ['oclif', 'manifest'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    if (result.status !== 0) throw new Error(`oclif manifest failed:\n${result.stdout}\n${result.stderr}`)
    if (!staleReason()) return 'regenerated oclif.manifest.json'
  }

  log(`building (${reason}): npm run build`)
  const result = spawnSync('npm', ['run', 'build'], {cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`)
  return `built (${reason})`
}

/**
 * Copies the built CLI (bin/run.js, dist/, oclif.manifest.json, package.json; node_modules linked) to a
 * temporary directory and points cli.bin at it, so that `npm run build` (which empties dist/) or bin/dev.js
 * (which deletes the manifest) run by someone else during the benchmark cannot change what is measured.
 * Removed when the process exits.
 */
export function stageCli(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanmsg-bench-cli-'))
  process.once('exit', () => rmSync(dir, {recursive: true, force: true}))
  mkdirSync(join(dir, 'bin'))
  cpSync(join(ROOT, 'bin', 'run.js'), join(dir, 'bin', 'run.js'))
  cpSync(join(ROOT, 'bin', 'package.json'), join(dir, 'bin', 'package.json')) // run.js is CommonJS
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), {recursive: true})
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'))
  cpSync(join(ROOT, 'oclif.manifest.json'), join(dir, 'oclif.manifest.json'))
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  // The code cache as the build makes it: a run with other V8 flags may have rewritten the one in dist/.
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'train-code-cache.mjs'), dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  cli.bin = join(dir, 'bin', 'run.js')
  return dir
}
