// What a listen counts, live or from a capture file: the summary line at the end and `--json`'s stats.
export interface ListenStats {
  /** Datagrams read from the socket: processed, or dropped unprocessed (overflow, unprocessed). */
  datagrams: number
  filtered: number
  ipmsg: number
  fromSelf: number
  /** IPMsg packets that repeat one from the same source a moment ago (lan/recent-packets.ts): marked, shown once. */
  duplicates: number
  replies: number
  replyErrors: number
  /** Read, then dropped unprocessed because the queue was full (a flood faster than lanmsg can process). */
  overflow: number
  /** Read, then dropped unprocessed because stop() ran out of time (STOP_PROCESS_MAX_MS) to show them. */
  unprocessed: number
  /** The most datagrams waiting to be processed at once. */
  queuePeak: number
  /** Dropped by the kernel before lanmsg could read them (receive buffer full); null when it cannot tell. */
  kernelDrops: null | number
}

/** The counts of a listen that has seen nothing yet (kernel drops unknown until measured). */
export function emptyListenStats(): ListenStats {
  const zero = {datagrams: 0, filtered: 0, ipmsg: 0, fromSelf: 0, duplicates: 0, replies: 0, replyErrors: 0}
  return {...zero, overflow: 0, unprocessed: 0, queuePeak: 0, kernelDrops: null}
}
