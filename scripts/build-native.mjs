// Builds lanmsg's optional native addons with node-gyp and copies them to dist/: native/recv_batch.c (batched UDP
// reads with recvmmsg, Linux only) as lanmsg_recv.node, and native/pcap/pcap_live.c (listen --capture, linked
// against libpcap) as lanmsg_pcap.node. Never fails the build, and each addon is built on its own: without a
// compiler, Node headers, Linux or libpcap-dev, lanmsg reads datagrams as Node does (src/net/batch-read.ts) or
// `listen --capture` says what to install (src/net/live-capture.ts), and this says so on one line.
import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const ADDONS = [
  {
    dir: join(root, 'native'),
    name: 'lanmsg_recv',
    skipped: 'native batch reads not built',
    instead: 'listen reads datagrams one at a time instead',
    off: process.env.LANMSG_BATCH_READ === 'off' && 'LANMSG_BATCH_READ=off',
  },
  {
    dir: join(root, 'native', 'pcap'),
    name: 'lanmsg_pcap',
    skipped: 'live capture not built',
    instead: 'listen --capture needs libpcap-dev (apt install libpcap-dev) and a rebuild',
    off: process.env.LANMSG_PCAP === 'off' && 'LANMSG_PCAP=off',
  },
]

// npm tells scripts where its node-gyp is; outside npm, the one on PATH.
const gyp = process.env.npm_config_node_gyp
const [command, gypArgs] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []]

/** Builds one addon into dist/; the reason when it could not be. */
function build({dir, name, off}) {
  if (process.platform !== 'linux') return `Linux only, this is ${process.platform}`
  if (off) return off
  const step = (verb) =>
    spawnSync(command, [...gypArgs, verb], {cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'})
  // `configure` once (it writes build/), then `build` (make: only what changed).
  let result = existsSync(join(dir, 'build', 'Makefile')) ? {status: 0} : step('configure')
  if (result.status === 0) result = step('build')
  const built = join(dir, 'build', 'Release', `${name}.node`)
  if (result.error) return `${command}: ${result.error.message}`
  if (result.status !== 0 || !existsSync(built)) {
    const lines = `${result.stderr ?? ''}`.trim().split('\n')
    // A missing header says best what is missing (pcap/pcap.h: libpcap-dev); else node-gyp's last line.
    const last = lines.find((l) => / fatal error: /.test(l)) ?? lines.findLast(Boolean) ?? `exit ${result.status}`
    return `node-gyp failed: ${last.trim()}`
  }

  const target = join(root, 'dist', `${name}.node`)
  mkdirSync(dirname(target), {recursive: true})
  copyFileSync(built, target)
}

for (const addon of ADDONS) {
  const reason = build(addon)
  if (reason) console.warn(`lanmsg: ${addon.skipped} (${reason}); ${addon.instead}.`)
}
