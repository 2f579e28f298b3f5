// Ingest: `lanmsg listen --ndjson > file` under 200,000 datagrams at fixed rates and in one burst, against a
// plain Python recvfrom loop writing one line per datagram, in turn (never both at once). Both bind 127.0.0.1;
// lanmsg asks for a 4 MiB receive buffer (capped by net.core.rmem_max), the plain loop keeps the kernel's
// default (net.core.rmem_default): the sizes the kernel gave are in latest.json (receiveBuffer). The traffic is
// a LAN's: every datagram has its own packet number, and they come from SOURCES addresses in turn.
import type {Benchmark, Row} from './support/report.js'

import {SENDMSG_TEMPLATE, toHex} from './support/packets.js'
import {countLines, cpuTimeMs, hasPython, median, memoryMiB, udpSockets} from './support/proc.js'
import {type ReceiverKind, reportedReceived, send, startReceiver, waitDrained} from './support/receivers.js'

export interface IngestRun {
  receiver: ReceiverKind
  /** Requested rate; 0 = burst. */
  rate: number
  sent: number
  /** Achieved send rate. */
  sendRate: number
  /** Lines in the output file. */
  received: number
  lostPercent: number
  /** Datagrams the kernel dropped on the receiver's socket (full receive buffer). */
  kernelDrops: number
  /** CPU time (user + system) of the receiver from ready to drained. */
  cpuMs: number
  /** Its socket's receive buffer in bytes, as the kernel sized it. */
  receiveBuffer?: number
  rssMiB?: number
  /** lanmsg only: the count in its summary line. */
  reported?: number
  exitCode: null | number
}

/** Distinct loopback sources (127.A.B.C): a large office LAN, within the peer table's capacity. */
const SOURCES = 1000
/** CPU per datagram, lanmsg ÷ the Python loop, at this rate and above (and in the burst). */
const CPU_RATIO_TARGET = 1
const CPU_TARGET_FROM_RATE = 50_000

const rateLabel = (rate: number) => (rate === 0 ? 'burst' : `${(rate / 1000).toLocaleString('en-US')}k/s`)

async function ingestOnce(receiver: ReceiverKind, rate: number, count: number): Promise<IngestRun> {
  const r = await startReceiver(receiver, {maxSeconds: 300})
  try {
    const sent = await send({port: r.port, count, rate, templateHex: toHex(SENDMSG_TEMPLATE), sources: SOURCES})
    await waitDrained(r)
    const pid = r.proc.child.pid!
    const cpuMs = (cpuTimeMs(pid) ?? Number.NaN) - r.cpuAtReadyMs
    const rssMiB = memoryMiB(pid)?.rss
    const kernelDrops = udpSockets(r.port).reduce((n, s) => n + s.drops, 0)
    const exit = await r.proc.stop(10_000)
    const received = countLines(r.outFile!)
    return {
      receiver,
      rate,
      sent: sent.sent,
      sendRate: sent.rate,
      received,
      lostPercent: ((sent.sent - received) / sent.sent) * 100,
      kernelDrops,
      cpuMs,
      receiveBuffer: r.receiveBuffer,
      rssMiB,
      reported: receiver === 'lanmsg' ? reportedReceived(r.proc.stderr()) : undefined,
      exitCode: exit.code,
    }
  } finally {
    await r.proc.stop(2000)
    r.dispose()
  }
}

/** Pairs of runs at the rates with a CPU target, in a full run. */
const ROUNDS = 3

const hasCpuTarget = (rate: number) => rate === 0 || rate >= CPU_TARGET_FROM_RATE

/** CPU time per datagram received, in µs. */
const cpuPerDatagram = (run: IngestRun) => (run.cpuMs * 1000) / run.received

/** Lost over all rounds, in % of what was sent. */
const lostPercent = (all: IngestRun[]) =>
  (all.reduce((n, r) => n + r.sent - r.received, 0) / all.reduce((n, r) => n + r.sent, 0)) * 100

/** The loss and CPU rows of one rate: loss over all its rounds, CPU per datagram as the median of its rounds. */
function rateRows(rate: number, count: number, pairs: Array<Record<'lanmsg' | 'python', IngestRun>>): Row[] {
  const lan = pairs.map((p) => p.lanmsg)
  const py = pairs.map((p) => p.python)
  const [lanLost, pyLost] = [lostPercent(lan), lostPercent(py)]
  const received = lan.reduce((n, r) => n + r.received, 0)
  const sendRate = median(lan.map((r) => r.sendRate))
  const rounds = pairs.length > 1 ? `; ${pairs.length} rounds, python and lanmsg in turn` : ''
  const lossTarget = rate === 50_000 ? 0 : undefined
  const [lanCpu, pyCpu] = [median(lan.map((r) => cpuPerDatagram(r))), median(py.map((r) => cpuPerDatagram(r)))]
  const cpuRatio = lanCpu / pyCpu
  return [
    {
      bench: 'ingest',
      measure: `loss, ${count.toLocaleString('en-US')} at ${rateLabel(rate)}`,
      note: `${received.toLocaleString('en-US')} received, sent at ${Math.round(sendRate / 1000).toLocaleString('en-US')}k/s${rounds}`,
      value: lanLost,
      unit: '%',
      baseline: {name: 'python', value: pyLost},
      target: lossTarget === 0 ? '0 % and <= python' : '<= python',
      met: lanLost <= pyLost && (lossTarget === undefined || lanLost === 0),
    },
    {
      bench: 'ingest',
      measure: `listener CPU per datagram, ${rateLabel(rate)}`,
      ...(pairs.length > 1 ? {note: `median of ${pairs.length} rounds each`} : {}),
      value: lanCpu,
      unit: 'us',
      baseline: {name: 'python', value: pyCpu},
      ratio: cpuRatio,
      ...(hasCpuTarget(rate) ? {target: `<= ${CPU_RATIO_TARGET}x python`, met: cpuRatio <= CPU_RATIO_TARGET} : {}),
    },
  ]
}

export const ingest: Benchmark = {
  name: 'ingest',
  async run({quick, log}) {
    if (!hasPython()) return {rows: [], skipped: 'python3 (with ctypes) is needed for the sender'}
    const count = quick ? 20_000 : 200_000
    const rates = quick ? [50_000, 200_000] : [10_000, 50_000, 100_000, 200_000, 0]
    const runs: IngestRun[] = []
    const rows: Row[] = []
    for (const rate of rates) {
      // Rates with a CPU target get ROUNDS pairs (one run of each moves ±15–20 % on a shared machine): medians.
      const rounds = quick || !hasCpuTarget(rate) ? 1 : ROUNDS
      const pairs: Array<Record<'lanmsg' | 'python', IngestRun>> = []
      for (let round = 0; round < rounds; round++) {
        // The baseline first, then lanmsg: one at a time, so that they never compete for the CPU.
        const pair = {} as Record<'lanmsg' | 'python', IngestRun>
        for (const receiver of ['python', 'lanmsg'] as const) {
          const run = await ingestOnce(receiver, rate, count)
          if (receiver === 'lanmsg' && run.exitCode !== 0) throw new Error(`lanmsg listen exited with ${run.exitCode}`)
          log(
            `ingest ${receiver} ${rateLabel(rate)}${rounds > 1 ? ` (round ${round + 1} of ${rounds})` : ''}: ` +
              `sent ${run.sent} at ${Math.round(run.sendRate)}/s, ` +
              `received ${run.received} (${run.lostPercent.toFixed(2)} % lost, ${run.kernelDrops} kernel drops), ` +
              `CPU ${Math.round(run.cpuMs)} ms, receive buffer ${run.receiveBuffer ?? '?'} B`,
          )
          pair[receiver] = run
          runs.push(run)
        }

        pairs.push(pair)
      }

      rows.push(...rateRows(rate, count, pairs))
    }

    return {rows, details: {datagrams: count, sources: SOURCES, bytes: SENDMSG_TEMPLATE.length + 7, runs}}
  },
}
