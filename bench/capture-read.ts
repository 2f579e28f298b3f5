// `listen --read`: packets per second decoded from a capture file of 1,000,000 IPMsg datagrams (quick: 50,000),
// written as NDJSON to /dev/null, against `tshark -r` of the same file (its one-line summary per packet), one run
// each. Sends nothing: the file is generated here (Ethernet/IPv4/UDP frames of typical SENDMSGs from 500 hosts).
import {spawnSync} from 'node:child_process'
import {closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Benchmark, Row} from './support/report.js'

import {pcapFileHeader, pcapRecord} from '../src/net/capture-writer.js'
import {cli, ROOT} from './support/proc.js'

const T0_US = 1_764_000_000_000_000

/** Writes `count` SENDMSG datagrams, 20 µs apart, from 500 hosts to the LAN's broadcast and to each other. */
function writeCapture(path: string, count: number): void {
  const fd = openSync(path, 'w')
  try {
    writeSync(fd, pcapFileHeader())
    let batch: Buffer[] = []
    for (let i = 0; i < count; i++) {
      const host = i % 500
      const text = `1:${1_000_000 + i}:user${host}:pc-${host}:32:message number ${i} from a colleague\0`
      const to = i % 4 === 0 ? '192.168.1.255' : `192.168.${(host + 1) % 2}.${((host + 7) % 250) + 2}`
      batch.push(
        pcapRecord(T0_US + i * 20, {
          transport: 'udp',
          from: {address: `192.168.${host % 2}.${(host % 250) + 2}`, port: 2425},
          to: {address: to, port: 2425},
          payload: Buffer.from(text),
        }),
      )
      if (batch.length === 10_000) {
        writeSync(fd, Buffer.concat(batch))
        batch = []
      }
    }

    if (batch.length > 0) writeSync(fd, Buffer.concat(batch))
  } finally {
    closeSync(fd)
  }
}

/** `0m1.030000s` (the shell's `times`) in ms. */
function shellTime(text: string): number {
  const [, minutes, seconds] = /(\d+)m([\d.]+)s/.exec(text) ?? ['', '0', 'NaN']
  return (Number(minutes) * 60 + Number(seconds)) * 1000
}

/**
 * Wall time and CPU time (user + system, from the shell's `times`) of a command with stdout to /dev/null, killed
 * after timeoutMs. On a busy machine the CPU time is the steadier figure.
 */
function timed(command: string, args: string[], timeoutMs: number, errorFile: string) {
  const started = performance.now()
  const run = spawnSync('sh', ['-c', '"$@" > /dev/null 2> "$ERR"; echo "exit $?"; times', 'sh', command, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: '1', ERR: errorFile},
    killSignal: 'SIGKILL',
    timeout: timeoutMs,
  })
  const ms = performance.now() - started
  const [exit = '', , children = ''] = (run.stdout ?? '').trim().split('\n')
  const [user = '', system = ''] = children.split(' ')
  const stderr = readFileSync(errorFile, 'utf8')
  return {ms, cpuMs: shellTime(user) + shellTime(system), code: Number(exit.replace('exit ', '')), stderr}
}

export const captureRead: Benchmark = {
  name: 'capture-read',
  async run({quick, log}) {
    const count = quick ? 50_000 : 1_000_000
    const dir = mkdtempSync(join(tmpdir(), 'lanmsg-bench-capture-'))
    try {
      const file = join(dir, 'ipmsg.pcap')
      writeCapture(file, count)
      const mib = statSync(file).size / 2 ** 20
      log(`capture-read: ${count.toLocaleString('en-US')} packets, ${mib.toFixed(0)} MiB`)
      const lanmsg = timed(
        process.execPath,
        [cli.bin, 'listen', '--read', file, '--ndjson'],
        600_000,
        join(dir, 'stderr'),
      )
      if (lanmsg.code !== 0) throw new Error(`listen --read exited ${lanmsg.code}: ${lanmsg.stderr.slice(-500)}`)
      const expected = `${count} datagrams received, ${count} shown`
      if (!lanmsg.stderr.includes(expected))
        throw new Error(`listen --read did not show every packet: ${lanmsg.stderr}`)
      const ours = (count / lanmsg.ms) * 1000
      const hasTshark = !spawnSync('tshark', ['--version']).error
      const shark = hasTshark ? timed('tshark', ['-n', '-r', file], 900_000, join(dir, 'stderr')) : undefined
      const theirs = shark && shark.code === 0 ? (count / shark.ms) * 1000 : undefined
      const perCpu = (run: {cpuMs: number}) => Math.round((count / run.cpuMs) * 1000).toLocaleString('en-US')
      const row: Row = {
        bench: 'capture-read',
        measure: `listen --read --ndjson, ${count.toLocaleString('en-US')} packets (${mib.toFixed(0)} MiB)`,
        value: ours,
        unit: 'pkts/s',
        target: '> tshark -r',
        note:
          theirs === undefined
            ? 'tshark not installed (or failed): no baseline'
            : `one run each, wall time; per CPU second ${perCpu(lanmsg)} vs ${perCpu(shark!)} pkts/s`,
      }
      if (theirs !== undefined) {
        row.baseline = {name: 'tshark -n -r', value: Math.round(theirs)}
        row.ratio = ours / theirs
        row.met = ours > theirs
      }

      return {rows: [row], details: {count, bytes: statSync(file).size, lanmsg, tshark: shark}}
    } finally {
      rmSync(dir, {force: true, recursive: true})
    }
  },
}
