// Writes V8's code cache of the bundle (dist/lanmsg.cjs.cache) afresh: `node scripts/train-code-cache.mjs [ROOT]`.
// bin/run.js writes it at the exit of a run when it is missing (or rejected: another Node version or V8 flags),
// with every function compiled so far. Two runs train it: `announce --help` (oclif's start-up path, the parser,
// the help) and then a complete announce to a UDP socket of this script on 127.0.0.1, which adds the functions of
// a run that sends (the plan, the socket, the state files, the report): 7-8 % fewer instructions for a complete
// announce than the help alone, the help unchanged. Nothing leaves this host: the announce sends to loopback
// only, and keeps its state in a temporary directory. Run by the build (scripts/bundle-cli.mjs) and by the
// benchmarks on their copy of the CLI, so that both measure the cache the build makes, not one a run with other
// flags left behind.
import {spawnSync} from 'node:child_process'
import {createSocket} from 'node:dgram'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = resolve(process.argv[2] ?? join(fileURLToPath(import.meta.url), '..', '..'))
rmSync(join(root, 'dist', 'lanmsg.cjs.cache'), {force: true})
const env = {...process.env}
env.NODE_V8_COVERAGE = '' // deleted, Node would pass it on to the child all the same (and no cache is written)

function lanmsg(args, extra) {
  return spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    env: {...env, ...extra},
    timeout: 60_000,
  })
}

const help = lanmsg(['announce', '--help'], {LANMSG_CODE_CACHE: 'write'})
if (help.status !== 0) {
  process.stderr.write(help.stderr)
  console.error(`train-code-cache: \`lanmsg announce --help\` failed (exit ${help.status}); the bundle is broken`)
  process.exit(1)
}

// The announce's datagrams (a BR_ENTRY, the SENDMSG, a BR_EXIT) arrive at this socket, unread, and go with it.
const socket = createSocket('udp4')
await new Promise((resolve_, reject) => socket.once('error', reject).bind(0, '127.0.0.1', resolve_))
const state = mkdtempSync(join(tmpdir(), 'lanmsg-train-'))
const port = String(socket.address().port)
const args = ['announce', 'hi', '--to', '127.0.0.1', '--port', port, '--bind-port', '0', '--wait', '0']
const announce = lanmsg(args, {LANMSG_CODE_CACHE: 'extend', LANMSG_STATE_DIR: state, NO_COLOR: '1'})
socket.close()
rmSync(state, {recursive: true, force: true})
// Not fatal: the cache the help run wrote stays (bin/run.js replaces it whole, or not at all).
if (announce.status !== 0) console.error(`train-code-cache: the announce to loopback ended with ${announce.status}`)
