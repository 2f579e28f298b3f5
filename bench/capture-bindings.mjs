#!/usr/bin/env node
// Which libpcap binding `listen --capture` uses, measured: lanmsg's own addon (native/pcap) against the npm
// bindings `cap` and `pcap`, each capturing the same bounded flood of 100-byte UDP datagrams to port 2425 on a veth
// in two network namespaces made here (nothing leaves them). Prints, per binding, packets seen, lost, and the
// capturing process's CPU time per packet. Not part of `npm run bench`: the npm bindings are no dependency of
// lanmsg. Run as root:  node bench/capture-bindings.mjs [DIR with node_modules/cap and node_modules/pcap] [COUNT]
import {spawn, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const [modules = '', count = '200000'] = process.argv.slice(2)
const SENDER = 'lcbench-s'
const CAPTURER = 'lcbench-c'
const ip = (...args) => {
  const run = spawnSync('ip', args, {encoding: 'utf8'})
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')}: ${run.stderr}`)
}

// One worker per binding: opens the capture on v1, counts packets and bytes until told to stop (stdin closes).
const WORKER = String.raw`
const [kind, modules, root] = process.argv.slice(1)
let packets = 0, bytes = 0, stop
const filter = 'udp port 2425'
if (kind === 'lanmsg') {
  const addon = require(root + '/dist/lanmsg_pcap.node')
  const buf = Buffer.allocUnsafeSlow(64 * 65565), meta = new Float64Array(64 * 5)
  const h = addon.open('v1', 65565, 8 << 20, filter, () => {
    const n = addon.read(h, buf, meta)
    for (let i = 0; i < n; i++) { packets++; bytes += meta[i * 5 + 1] }
  }, 50)
  stop = () => { const [, drop] = addon.stats(h); addon.close(h); return drop }
} else if (kind === 'cap') {
  const {Cap} = require(modules + '/node_modules/cap')
  const c = new Cap(), buf = Buffer.alloc(65535)
  c.open('v1', filter, 8 << 20, buf)
  c.on('packet', (n) => { packets++; bytes += n })
  stop = () => { c.close(); return 'n/a' }
} else {
  const pcap = require(modules + '/node_modules/pcap')
  const s = pcap.createSession('v1', {filter, buffer_size: 8 << 20, buffer_timeout: 50})
  s.on('packet', (raw) => { packets++; bytes += raw.header.readUInt32LE(8) })
  stop = () => { const st = s.stats(); s.close(); return st.ps_drop }
}
const start = process.cpuUsage()
console.log('ready')
process.stdin.on('data', () => {})
process.stdin.on('end', () => {
  const cpu = process.cpuUsage(start)
  const drops = stop()
  console.log(JSON.stringify({packets, bytes, drops, cpuMs: (cpu.user + cpu.system) / 1000}))
  process.exit(0)
})`

// The flood: COUNT datagrams as fast as one socket sends them, then done.
const FLOOD = String.raw`
const s = require('node:dgram').createSocket('udp4'); const body = Buffer.alloc(100, 0x41); let sent = 0
const total = Number(process.argv[1])
let done = 0
const next = () => {
  if (sent < total) { sent++; s.send(body, 2425, '10.94.0.2', () => { done++; next() }) }
  else if (done === total) s.close()
}
for (let i = 0; i < 64; i++) next()`

function runOne(kind) {
  return new Promise((resolve, reject) => {
    const worker = spawn('ip', ['netns', 'exec', CAPTURER, process.execPath, '-e', WORKER, kind, modules, root])
    let out = ''
    worker.stdout.on('data', (d) => {
      out += d
      if (out === 'ready\n') {
        const flood = spawnSync('ip', ['netns', 'exec', SENDER, process.execPath, '-e', FLOOD, count], {
          timeout: 120_000,
        })
        if (flood.status !== 0) reject(new Error(`flood: ${flood.stderr}`))
        setTimeout(() => worker.stdin.end(), 1000) // what is in the kernel's buffer is read
      }
    })
    worker.stderr.on('data', (d) => process.stderr.write(d))
    worker.on('exit', (code, signal) =>
      code === 0 ? resolve(JSON.parse(out.split('\n')[1])) : reject(new Error(`${kind}: exit ${code ?? signal}`)),
    )
  })
}

const cleanup = () => {
  spawnSync('ip', ['netns', 'del', SENDER])
  spawnSync('ip', ['netns', 'del', CAPTURER])
}

cleanup()
try {
  ip('netns', 'add', SENDER)
  ip('netns', 'add', CAPTURER)
  ip('-n', SENDER, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1', 'netns', CAPTURER)
  ip('-n', SENDER, 'addr', 'add', '10.94.0.1/24', 'dev', 'v0')
  ip('-n', CAPTURER, 'addr', 'add', '10.94.0.2/24', 'dev', 'v1')
  ip('-n', SENDER, 'link', 'set', 'v0', 'up')
  ip('-n', CAPTURER, 'link', 'set', 'v1', 'up')
  const kinds = (process.env.KINDS?.split(',') ?? ['lanmsg', 'cap', 'pcap']).filter(
    (k) => k === 'lanmsg' || existsSync(join(modules, 'node_modules', k)),
  )
  console.log(`${count} datagrams of 100 bytes to UDP 2425, each binding capturing them on a veth`)
  console.log('binding   seen      lost   CPU ms   CPU µs/packet')
  for (const kind of kinds) {
    const r = await runOne(kind).catch((error) => error)
    if (r instanceof Error) {
      console.log(`${kind.padEnd(8)} failed: ${r.message}`) // cap, at 100,000: SIGSEGV or SIGABRT
      continue
    }

    const lost = Number(count) - r.packets
    console.log(
      `${kind.padEnd(8)} ${String(r.packets).padStart(7)} ${String(lost).padStart(8)} ${r.cpuMs.toFixed(0).padStart(8)} ${((1000 * r.cpuMs) / r.packets).toFixed(2).padStart(10)}`,
    )
  }
} finally {
  cleanup()
}
