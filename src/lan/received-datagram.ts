import type {Endpoint} from '../net/endpoint.js'
import type {DecodeResult} from '../protocol/types.js'

/** One datagram as it arrived, with its decoding: what listen streams and announce collects. */
export interface ReceivedDatagram {
  data: Uint8Array
  from: Endpoint
  /** Wall-clock time of arrival, ms since the epoch (from a capture file: the packet's own time). */
  receivedAt: number
  result: DecodeResult
  /** True when the same packet came from the same source a moment ago (a resend, or a broadcast heard twice). */
  duplicate?: boolean
  /** From a capture: where it was going (a capture sees other hosts' conversations). */
  to?: Endpoint
  /** From a capture: a TCP segment (a file-transfer request) rather than a UDP datagram. */
  transport?: 'tcp' | 'udp'
  /** From a capture: the packet's time in µs since the epoch, as the file has it. */
  timeUs?: number
}
