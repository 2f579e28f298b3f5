// The five header fields of a classic IPMsg datagram (§1.2), split on bytes before any decoding (§5).

const COLON = 0x3a
const MAX_UINT32 = 0xffffffff

export interface HeaderFields {
  version: Uint8Array
  user: Uint8Array
  host: Uint8Array
  packetNo: number
  command: number
  /** Everything after the fifth colon; may contain more colons (§1.2). */
  body: Uint8Array
}

export type HeaderResult = {ok: false; reason: string} | {ok: true; header: HeaderFields}

/** A short printable rendering of untrusted bytes, for error reasons. */
export function printable(bytes: Uint8Array, max = 24): string {
  let s = ''
  for (let i = 0; i < bytes.length && i < max; i++) {
    const b = bytes[i]
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '?'
  }

  return bytes.length > max ? s + '…' : s
}

/** The unsigned decimal field bytes[from, to): digits only, at most 4294967295 (no copies on success). */
function parseDecimal(bytes: Uint8Array, from: number, to: number, what: string): number | string {
  if (to === from) return `${what} is empty`
  let start = from
  while (start < to - 1 && bytes[start] === 0x30) start++
  let value = 0
  for (let i = start; i < to; i++) {
    const digit = bytes[i] - 0x30
    if (digit < 0 || digit > 9) return `${what} "${printable(bytes.subarray(from, to))}" is not a decimal number`
    value = value * 10 + digit // exact: at most 10 digits are kept
  }

  if (to - start > 10) value = Infinity
  if (value > MAX_UINT32) return `${what} ${printable(bytes.subarray(from, to))} is larger than ${MAX_UINT32}`
  return value
}

/** Where the first five colons are, with the two numeric fields parsed: splitHeader without the subarrays. */
export type HeaderScan =
  | {c1: number; c2: number; c3: number; c4: number; c5: number; command: number; ok: true; packetNo: number}
  | {ok: false; reason: string}

/** What scanHeaderInto finds; decode fills one such object for every datagram instead of making one each time. */
export interface HeaderSpans {
  c1: number
  c2: number
  c3: number
  c4: number
  c5: number
  packetNo: number
  command: number
  /** The bitwise OR of bytes[0, c5]: below 0x80 when the header is ASCII. */
  bits: number
}

/** Fills `out` from the header of `bytes`; returns why it is not one, or undefined. */
export function scanHeaderInto(bytes: Uint8Array, out: HeaderSpans): string | undefined {
  // One loop rather than indexOf: the header is short, and indexOf costs more than it scans.
  let c1 = -1
  let c2 = -1
  let c3 = -1
  let c4 = -1
  let c5 = -1
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    bits |= b
    if (b !== COLON) continue
    if (c1 < 0) c1 = i
    else if (c2 < 0) c2 = i
    else if (c3 < 0) c3 = i
    else if (c4 < 0) c4 = i
    else {
      c5 = i
      break
    }
  }

  if (c5 < 0) {
    const found = c1 < 0 ? 0 : c2 < 0 ? 1 : c3 < 0 ? 2 : c4 < 0 ? 3 : 4
    return `only ${found} of the 5 header colons`
  }

  const packetNo = parseDecimal(bytes, c1 + 1, c2, 'packet number')
  if (typeof packetNo === 'string') return packetNo
  const command = parseDecimal(bytes, c4 + 1, c5, 'command')
  if (typeof command === 'string') return command
  out.c1 = c1
  out.c2 = c2
  out.c3 = c3
  out.c4 = c4
  out.c5 = c5
  out.packetNo = packetNo
  out.command = command
  out.bits = bits
  return undefined
}

export function scanHeader(bytes: Uint8Array): HeaderScan {
  const spans: HeaderSpans = {c1: 0, c2: 0, c3: 0, c4: 0, c5: 0, packetNo: 0, command: 0, bits: 0}
  const reason = scanHeaderInto(bytes, spans)
  if (reason !== undefined) return {ok: false, reason}
  const {c1, c2, c3, c4, c5, packetNo, command} = spans
  return {ok: true, c1, c2, c3, c4, c5, packetNo, command}
}

/** Splits at the first five colons and checks the numeric fields; the version is checked by the caller. */
export function splitHeader(bytes: Uint8Array): HeaderResult {
  const scan = scanHeader(bytes)
  if (!scan.ok) return scan
  const {c1, c2, c3, c4, c5} = scan
  return {
    ok: true,
    header: {
      version: bytes.subarray(0, c1),
      packetNo: scan.packetNo,
      user: bytes.subarray(c2 + 1, c3),
      host: bytes.subarray(c3 + 1, c4),
      command: scan.command,
      body: bytes.subarray(c5 + 1),
    },
  }
}
