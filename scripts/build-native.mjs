// Builds lanmsg's optional native addon (native/recv_batch.c: batched UDP reads with recvmmsg, Linux only) with
// node-gyp and copies it to dist/lanmsg_recv.node. Never fails the build: without a compiler, Node headers or
// Linux, lanmsg reads datagrams as Node does (src/net/batch-read.ts), and this says so on one line.
import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const nativeDir = join(root, 'native')
const built = join(nativeDir, 'build', 'Release', 'lanmsg_recv.node')
const target = join(root, 'dist', 'lanmsg_recv.node')

function skip(reason) {
  console.warn(`lanmsg: native batch reads not built (${reason}); listen reads datagrams one at a time instead.`)
  process.exit(0)
}

if (process.platform !== 'linux') skip(`recvmmsg is Linux only, this is ${process.platform}`)
if (process.env.LANMSG_BATCH_READ === 'off') skip('LANMSG_BATCH_READ=off')

// npm tells scripts where its node-gyp is; outside npm, the one on PATH.
const gyp = process.env.npm_config_node_gyp
const [command, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []]
const step = (verb) =>
  spawnSync(command, [...args, verb], {cwd: nativeDir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'})
// `configure` once (it writes native/build), then `build` (make: only what changed).
let result = existsSync(join(nativeDir, 'build', 'Makefile')) ? {status: 0} : step('configure')
if (result.status === 0) result = step('build')
if (result.error) skip(`${command}: ${result.error.message}`)
if (result.status !== 0 || !existsSync(built)) {
  const last = `${result.stderr ?? ''}`.trim().split('\n').findLast(Boolean) ?? `exit ${result.status}`
  skip(`node-gyp failed: ${last}`)
}

mkdirSync(dirname(target), {recursive: true})
copyFileSync(built, target)
