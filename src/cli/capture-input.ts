// `listen --read FILE` and `--write FILE`: the capture file (or stdin) a replay reads, and the pcap file that
// saves what a listen shows. Loaded lazily by the command: `listen --help` needs none of it.
import type {Endpoint} from '../net/endpoint.js'
import type {Readable} from 'node:stream'

import {open} from 'node:fs/promises'

import type {CaptureReplay} from '../lan/capture-replay.js'
import type {PcapOutput} from '../lan/pcap-output.js'

import {CaptureFileError} from '../net/capture-file.js'
import {buildDatagramFilter} from './datagram-filter.js'
import {OutputError} from './output-error.js'

/** The flags of `listen --read` that decide what is decoded and shown. */
export interface ReadFlags {
  read: string
  port: number[]
  encoding?: string
  from?: string[]
  mode?: string[]
  'ipmsg-only'?: boolean
  expire?: number
  write?: string
}

/** The replay of the capture named by --read (`-` is stdin), the stream it reads, and the --write file if any. */
export async function openCapture(
  flags: ReadFlags,
): Promise<{replay: CaptureReplay; input: Readable; name: string; file?: PcapOutput}> {
  const {CaptureReplay} = await import('../lan/capture-replay.js')
  const filter = buildDatagramFilter({from: flags.from, mode: flags.mode, ipmsgOnly: flags['ipmsg-only']})
  const replay = new CaptureReplay({
    ports: flags.port,
    decodeOptions: flags.encoding === undefined ? {} : {legacyCharset: flags.encoding},
    filter,
    expireMs: flags.expire,
  })
  const file = await openPcap(flags.write)
  if (flags.read === '-') return {replay, input: process.stdin, name: 'stdin', file}
  // Opened before anything is shown: a missing file is the one line of the run. 64 KiB reads: 1 MiB ones cost
  // ~20 % more CPU and ~25 MiB more memory (1,000,000 packets to --ndjson), in bursts of lines to write.
  const handle = await open(flags.read).catch((error: Error) => {
    throw new CaptureFileError(`cannot read ${flags.read}: ${error.message}`, 0)
  })
  return {replay, input: handle.createReadStream({highWaterMark: 1 << 16}), name: flags.read, file}
}

/** --write: the pcap file, opened (a new file); `to`: the destination of datagrams without one (the socket's). */
export async function openPcap(path: string | undefined, to?: Endpoint): Promise<PcapOutput | undefined> {
  if (path === undefined) return undefined
  const {PcapOutput} = await import('../lan/pcap-output.js')
  // Opened before anything is shown: a file that cannot be made is the one line of the run (exit 8).
  const handle = await open(path, 'w').catch((error: NodeJS.ErrnoException) => {
    throw new OutputError(error, path)
  })
  return new PcapOutput(handle, to ?? {address: '0.0.0.0', port: 0})
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
