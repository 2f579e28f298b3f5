// Memory: peak RSS of `lanmsg listen --ndjson > /dev/null` under 1,000,000 datagrams from 50,000 distinct
// loopback sources (127.A.B.C), sampled after every 100,000 (quick: 100,000 in all, sampled at 50,000 and at
// the end) once the listener has caught up.
import type {Benchmark, Row} from './support/report.js'

import {SENDMSG_TEMPLATE, toHex} from './support/packets.js'
import {hasPython, memoryMiB} from './support/proc.js'
import {reportedReceived, send, startReceiver, waitDrained} from './support/receivers.js'

const SOURCES = 50_000
const CHUNK = 100_000
const RATE = 50_000
const LIMIT_MIB = 80
// "Flat": the median RSS sampled in the second half of the run is at most this much above the median of the first
// half (from 100,000 datagrams on): memory must not grow with the number of datagrams or sources.
const FLAT_PERCENT = 10

export const memory: Benchmark = {
  name: 'memory',
  // eslint-disable-next-line max-lines-per-function -- one scenario read top to bottom: set up, measure, report
  async run({quick, log}) {
    if (!hasPython()) return {rows: [], skipped: 'python3 (with ctypes) is needed for the sender'}
    const count = quick ? CHUNK : 10 * CHUNK
    // Quick: samples at 50,000 (every source seen once) and at 100,000.
    const chunk = quick ? CHUNK / 2 : CHUNK
    const listener = await startReceiver('lanmsg', {maxSeconds: 600, toDevNull: true})
    const pid = listener.proc.child.pid!
    const samples: Array<{datagrams: number; hwmMiB: number; rssMiB: number}> = []
    const sample = async (datagrams: number) => {
      await waitDrained(listener)
      const m = memoryMiB(pid)
      if (m) samples.push({datagrams, rssMiB: m.rss, hwmMiB: m.hwm})
      log(
        `memory after ${datagrams.toLocaleString('en-US')}: RSS ${m?.rss.toFixed(1)} MiB, peak ${m?.hwm.toFixed(1)} MiB`,
      )
    }

    const atStart = memoryMiB(pid)
    let sent
    let exit
    try {
      sent = await send({
        port: listener.port,
        count,
        rate: RATE,
        templateHex: toHex(SENDMSG_TEMPLATE),
        sources: SOURCES,
        chunk,
        onChunk: sample,
      })
      await sample(count)
    } finally {
      exit = await listener.proc.stop(10_000)
      listener.dispose()
    }

    const received = reportedReceived(listener.proc.stderr())
    const first = samples[0]
    const last = samples.at(-1)!
    const peak = Math.max(...samples.map((s) => s.hwmMiB))
    // Flat: no upward trend. RSS saws up and down with garbage collections, and one old-generation cycle can span a
    // few samples (600,000-800,000 up by 20 MiB, then back to where it was), so compare the medians of the two
    // halves of the run (from 100,000 on): a leak lifts the whole second half, a saw-tooth only one or two samples.
    const half = Math.ceil(samples.length / 2)
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b)
      const mid = Math.floor(sorted.length / 2)
      return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    const medianFirstHalf = median(samples.slice(0, half).map((s) => s.rssMiB))
    const medianSecondHalf = median(samples.slice(half).map((s) => s.rssMiB))
    const growth = medianSecondHalf / medianFirstHalf - 1
    const at = (n: number) => n.toLocaleString('en-US')
    const rows: Row[] = [
      {
        bench: 'memory',
        measure: `peak RSS (VmHWM), ${at(count)} datagrams from ${at(SOURCES)} sources`,
        note: `${at(received ?? 0)} received at ${Math.round(sent.rate / 1000)}k/s`,
        value: peak,
        unit: 'MiB',
        target: `< ${LIMIT_MIB} MiB`,
        met: peak < LIMIT_MIB,
      },
      {
        bench: 'memory',
        measure: `median RSS, ${at(first.datagrams)}-${at(samples[half - 1].datagrams)} vs after`,
        value: `${medianFirstHalf.toFixed(1)} vs ${medianSecondHalf.toFixed(1)} MiB`,
        unit: 'MiB',
        note: `RSS ${first.rssMiB.toFixed(1)} MiB at ${at(first.datagrams)}, ${last.rssMiB.toFixed(1)} MiB at the end`,
        // Quick mode ends while the heap is still growing into its working size: flatness is judged in full runs.
        ...(quick ? {} : {target: `flat (+<= ${FLAT_PERCENT} %)`, met: growth <= FLAT_PERCENT / 100}),
      },
    ]
    return {
      rows,
      details: {
        sources: SOURCES,
        datagrams: count,
        sent,
        received,
        rssAtStartMiB: atStart?.rss,
        samples,
        peakMiB: peak,
        medianFirstHalfMiB: medianFirstHalf,
        medianSecondHalfMiB: medianSecondHalf,
        growthSecondHalf: growth,
        exitCode: exit.code,
      },
    }
  },
}
