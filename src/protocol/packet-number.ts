// Packet numbers, Windows scheme (§4): seconds since 1970, strictly increasing, below 2^31. This is the one rule
// for every packet number lanmsg sends; lan/packet-number-store.ts only decides where `last` is kept.

/** Windows prints numbers with %d and g2ipmsg keeps them in int32 (§4): stay below 2^31. */
export const MAX_PACKET_NO = 2 ** 31 - 1

/** True for a number that may go on the wire: an integer from 0 to MAX_PACKET_NO. */
export function isPacketNo(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_PACKET_NO
}

/**
 * The clock as a packet number: whole seconds since 1970 modulo 2^31 (past January 2038 it starts again from 0,
 * still a clock that moves forward), or 0 for a reading that is not a time at all (NaN, infinite, negative).
 */
export function clockPacketNo(nowSeconds: number): number {
  if (!Number.isFinite(nowSeconds) || nowSeconds < 0) return 0
  return Math.floor(nowSeconds) % 2 ** 31
}

/**
 * The number to send after `last` (undefined: none yet) at `nowSeconds`: max(now, last + 1), as Windows'
 * MakePacketNo does, so numbers follow the clock and run ahead of it only by what was sent within one second.
 * After MAX_PACKET_NO it starts again from the clock (or 1): the only place numbers go backwards, once in 2038
 * (iptux then ignores this sender until its next entry packet, §4). Never 0, which iptux's per-peer check (a
 * number must be above the last one seen, reset to 0 by an entry packet) would drop.
 */
export function nextPacketNo(last: number | undefined, nowSeconds: number): number {
  const now = clockPacketNo(nowSeconds)
  if (last === undefined || !isPacketNo(last)) return Math.max(now, 1)
  if (last < MAX_PACKET_NO) return Math.max(now, last + 1)
  return now % MAX_PACKET_NO || 1
}
