// The last line of `listen`: what was read, shown and dropped, the peers, the replies.
import type {CaptureStats} from '../lan/capture-replay.js'
import type {ListenStats} from '../lan/listen-session.js'

export interface ListenSummaryInput {
  stats: ListenStats
  shown: number
  peers: number
  /** The replies line is there only with --respond. */
  responding: boolean
  suppressedRateLimit: number
  evictions: number
  /** --read: what the capture file held. */
  capture?: CaptureStats
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/** `; 120 packets in the capture, 3 datagrams reassembled from 9 fragments` and what could not be decoded. */
function captureSummary(capture: CaptureStats): string {
  return (
    `; ${plural(capture.packets, 'packet', 'packets')} in the capture` +
    (capture.fragments > 0
      ? `, ${plural(capture.reassembled, 'datagram', 'datagrams')} reassembled from ${plural(capture.fragments, 'fragment', 'fragments')}`
      : '') +
    (capture.fragmentSetsDropped > 0 ? `, ${capture.fragmentSetsDropped} incomplete (fragments missing)` : '') +
    (capture.cutShort > 0 ? `, ${capture.cutShort} cut short by the snapshot length` : '')
  )
}

export function listenSummary(input: ListenSummaryInput) {
  const {stats, shown, peers, responding, suppressedRateLimit, evictions, capture} = input
  return (
    `${plural(stats.datagrams, 'datagram', 'datagrams')} received, ${shown} shown` +
    (stats.filtered > 0 ? `, ${stats.filtered} filtered out` : '') +
    (stats.duplicates > 0 ? `, ${plural(stats.duplicates, 'duplicate', 'duplicates')}` : '') +
    // Read from the socket, but never shown: a flood filled the queue, or the exit came before they were processed.
    (stats.overflow > 0 ? `, ${stats.overflow} dropped (queue full)` : '') +
    // Never read: the kernel's receive buffer was full (a flood, or lanmsg stalled).
    (stats.kernelDrops ? `, ${stats.kernelDrops} dropped by the kernel (receive buffer full)` : '') +
    (stats.unprocessed > 0 ? `, ${stats.unprocessed} not shown (exit time limit)` : '') +
    `; ${plural(peers, 'peer', 'peers')}` +
    (responding ? `; ${plural(stats.replies, 'reply', 'replies')} sent` : '') +
    (suppressedRateLimit > 0 ? ` (${suppressedRateLimit} suppressed by the rate limit)` : '') +
    (evictions > 0 ? `; ${evictions} peers evicted (table full)` : '') +
    (capture ? captureSummary(capture) : '')
  )
}
