import type {Endpoint} from '../net/endpoint.js'
import type {DecodeResult} from '../protocol/types.js'

/** One datagram as it arrived, with its decoding: what listen streams and announce collects. */
export interface ReceivedDatagram {
  data: Uint8Array
  from: Endpoint
  /** Wall-clock time of arrival, ms since the epoch. */
  receivedAt: number
  result: DecodeResult
  /** True when the same packet came from the same source a moment ago (a resend, or a broadcast heard twice). */
  duplicate?: boolean
}
