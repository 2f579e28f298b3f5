// `listen --read FILE` and `--write FILE`: the capture file (or stdin) a replay reads, and the pcap file that
// saves what a listen shows. Loaded lazily by the command: `listen --help` needs none of it.
import type {Readable} from 'node:stream'

import {open} from 'node:fs/promises'

import type {CaptureReplay} from '../lan/capture-replay.js'
import type {ListenEvents} from '../lan/listen-session.js'
import type {PcapOutput} from '../lan/pcap-output.js'

import {CaptureFileError} from '../net/capture-file.js'
import {buildDatagramFilter} from './datagram-filter.js'

/** The flags of `listen --read` that decide what is decoded and shown. */
export interface ReadFlags {
  read: string
  port: number[]
  encoding?: string
  from?: string[]
  mode?: string[]
  'ipmsg-only'?: boolean
}

/** The replay of the capture named by --read (`-` is stdin), and the stream it reads. */
export async function openCapture(flags: ReadFlags): Promise<{replay: CaptureReplay; input: Readable; name: string}> {
  const {CaptureReplay} = await import('../lan/capture-replay.js')
  const filter = buildDatagramFilter({from: flags.from, mode: flags.mode, ipmsgOnly: flags['ipmsg-only']})
  const replay = new CaptureReplay({
    ports: flags.port,
    decodeOptions: flags.encoding === undefined ? {} : {legacyCharset: flags.encoding},
    filter,
  })
  if (flags.read === '-') return {replay, input: process.stdin, name: 'stdin'}
  // Opened before anything is shown: a missing file is the one line of the run. Large reads: as fast as it decodes.
  const file = await open(flags.read).catch((error: Error) => {
    throw new CaptureFileError(`cannot read ${flags.read}: ${error.message}`, 0)
  })
  return {replay, input: file.createReadStream({highWaterMark: 1 << 20}), name: flags.read}
}

/** --write: every datagram the source hands on, saved; `to` is the destination of those without one (the socket's). */
export async function saveTo(
  path: string | undefined,
  source: {on(event: 'datagram', listener: (...args: ListenEvents['datagram']) => void): unknown},
  to?: {address: string; port: number},
): Promise<PcapOutput | undefined> {
  if (path === undefined) return undefined
  const {PcapOutput} = await import('../lan/pcap-output.js')
  const file = new PcapOutput(path, to ?? {address: '0.0.0.0', port: 0})
  source.on('datagram', (datagram) => file.write(datagram))
  return file
}

/** Reads the capture to its end, or until a stop signal or `durationMs` stops the replay first. */
export async function readToEnd(
  replay: CaptureReplay,
  input: Readable,
  name: string,
  durationMs: number | undefined,
): Promise<void> {
  const {onStopSignal} = await import('./stop-signals.js')
  const signals = onStopSignal(() => replay.stop())
  const timer = durationMs === undefined ? undefined : setTimeout(() => replay.stop(), durationMs)
  try {
    await replay.read(input, name)
  } finally {
    clearTimeout(timer)
    signals.remove()
  }
}
