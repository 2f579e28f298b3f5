// Packet numbers, Windows scheme (§4): seconds since 1970, strictly increasing, below 2^31.

/** Windows prints numbers with %d and g2ipmsg keeps them in int32 (§4): stay below 2^31. */
export const MAX_PACKET_NO = 2 ** 31 - 1

/** A usable clock reading in seconds, or undefined (absent, not finite, or past 2038 where it no longer fits). */
function clock(nowSeconds: number | undefined): number | undefined {
  if (nowSeconds === undefined || !Number.isFinite(nowSeconds)) return undefined
  const seconds = Math.floor(nowSeconds)
  return seconds >= 0 && seconds <= MAX_PACKET_NO ? seconds : undefined
}

/** One past `last`, wrapping to 1 after MAX_PACKET_NO (the only point where numbers go backwards). */
function successor(last: number): number {
  return last >= MAX_PACKET_NO ? 1 : last + 1
}

/** The first number to use: max(now, lastReserved + 1), so a restart never goes backwards (§4). */
export function initialPacketNo(nowSeconds: number, lastReserved?: number): number {
  const now = clock(nowSeconds) ?? 1
  if (lastReserved === undefined || !Number.isInteger(lastReserved) || lastReserved < 0) return now
  return Math.max(now, successor(Math.min(lastReserved, MAX_PACKET_NO)))
}

/**
 * Each next() is max(now, last + 1) (WM MakePacketNo). Past MAX_PACKET_NO, last + 1 wraps to 1, so the counter
 * restarts from the clock (or from 1 without one): numbers go backwards once, and iptux then drops this sender's
 * messages until it re-announces (§4). A clock past 2038 no longer fits and is ignored.
 */
export class PacketCounter {
  private last: number

  constructor(start: number) {
    if (!Number.isInteger(start) || start < 0 || start > MAX_PACKET_NO) {
      throw new RangeError(`packet number must be an integer from 0 to ${MAX_PACKET_NO} (got ${start})`)
    }

    this.last = start - 1
  }

  next(nowSeconds?: number): number {
    this.last = Math.max(clock(nowSeconds) ?? 0, this.peek())
    return this.last
  }

  /** The number next() returns when the clock is not ahead of the counter. */
  peek(): number {
    return successor(this.last)
  }
}
