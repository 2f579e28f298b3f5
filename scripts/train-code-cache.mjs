// Writes V8's code cache of the bundle (dist/lanmsg.cjs.cache) afresh: `node scripts/train-code-cache.mjs [ROOT]`.
// bin/run.js writes it at the exit of a run when it is missing (or rejected: another Node version or V8 flags),
// with every function compiled so far; a help run compiles oclif's start-up path, the parser and the command's
// class without touching the network. Run by the build (scripts/bundle-cli.mjs) and by the benchmarks on their
// copy of the CLI, so that both measure the cache the build makes, not one a run with other flags left behind.
import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = resolve(process.argv[2] ?? join(fileURLToPath(import.meta.url), '..', '..'))
rmSync(join(root, 'dist', 'lanmsg.cjs.cache'), {force: true})
const env = {...process.env, LANMSG_CODE_CACHE: 'write'}
env.NODE_V8_COVERAGE = '' // deleted, Node would pass it on to the child all the same (and no cache is written)
const training = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'announce', '--help'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env,
})
if (training.status !== 0) {
  console.error(`train-code-cache: \`lanmsg announce --help\` failed (exit ${training.status}); the bundle is broken`)
  process.exit(1)
}
