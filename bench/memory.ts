// Memory: peak RSS of `lanmsg listen --ndjson > /dev/null` under 1,000,000 datagrams from 50,000 distinct
// loopback sources (127.A.B.C), sampled after every 100,000 (quick: 100,000 in all, sampled at 50,000 and at
// the end) once the listener has caught up.
import type {Benchmark, Row} from './support/report.js'

import {SENDMSG_TEMPLATE, toHex} from './support/packets.js'
import {memoryMiB} from './support/proc.js'
import {reportedReceived, send, startReceiver, waitDrained} from './support/receivers.js'

const SOURCES = 50_000
const CHUNK = 100_000
const RATE = 50_000
const LIMIT_MIB = 150
/** "Flat": the end is within this much of the figure at 100,000 datagrams. */
const FLAT_MIB = 15

export const memory: Benchmark = {
  name: 'memory',
  async run({quick, log}) {
    const count = quick ? CHUNK : 10 * CHUNK
    // Quick: two samples (50,000: every source seen once; 100,000) so that "flat" can still be judged.
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
    const growth = last.rssMiB - first.rssMiB
    const rows: Row[] = [
      {
        bench: 'memory',
        measure: `peak RSS, ${count.toLocaleString('en-US')} datagrams from ${SOURCES.toLocaleString('en-US')} sources`,
        note: `${(received ?? 0).toLocaleString('en-US')} received at ${Math.round(sent.rate / 1000)}k/s`,
        value: peak,
        unit: 'MiB',
        target: `< ${LIMIT_MIB} MiB`,
        met: peak < LIMIT_MIB,
      },
      {
        bench: 'memory',
        measure: `RSS at ${first.datagrams.toLocaleString('en-US')} -> at ${last.datagrams.toLocaleString('en-US')}`,
        value: `${first.rssMiB.toFixed(1)} -> ${last.rssMiB.toFixed(1)} MiB`,
        unit: 'MiB',
        ...(samples.length > 1 ? {target: `flat (+<= ${FLAT_MIB} MiB)`, met: growth <= FLAT_MIB} : {}),
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
        growthAfterFirstChunkMiB: growth,
        exitCode: exit.code,
      },
    }
  },
}
