// Which lanmsg the tests run: the built CLI (bin/run.js), about four times cheaper to start than bin/dev.js
// (tsx + oclif's development mode), which matters for a suite that starts hundreds of processes. The build is
// checked before every mocha run and redone when any source is newer, so a test never runs a stale dist/.
import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const CLI_BIN = join(REPO, 'bin', 'run.js')
const MANIFEST = join(REPO, 'oclif.manifest.json')

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }

  return newest
}

/** True when dist/ and the oclif manifest are missing or older than a source file, the addon's or package.json. */
export function buildIsStale(): boolean {
  if (!existsSync(MANIFEST) || !existsSync(join(REPO, 'dist', 'index.js'))) return true
  const built = statSync(MANIFEST).mtimeMs
  const sources = [
    'package.json',
    'native/recv_batch.c',
    'native/binding.gyp',
    'scripts/bundle-cli.mjs',
    'scripts/train-code-cache.mjs',
  ].map((file) => statSync(join(REPO, file)).mtimeMs)
  return Math.max(newestSource(join(REPO, 'src')), ...sources) > built
}

export function ensureFreshBuild(): void {
  if (!buildIsStale()) return
  process.stderr.write('test setup: dist/ is older than the source; running npm run build\n')
  execFileSync('npm', ['run', 'build', '--silent'], {cwd: REPO, stdio: ['ignore', 'ignore', 'inherit']})
}
