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

/** An unsigned decimal field: digits only, at most 4294967295. */
function parseDecimal(bytes: Uint8Array, what: string): number | string {
  if (bytes.length === 0) return `${what} is empty`
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0x30) start++
  for (let i = start; i < bytes.length; i++) {
    if (bytes[i] < 0x30 || bytes[i] > 0x39) return `${what} "${printable(bytes)}" is not a decimal number`
  }

  const value = bytes.length - start > 10 ? Infinity : Number(String.fromCharCode(...bytes.subarray(start)))
  if (value > MAX_UINT32) return `${what} ${printable(bytes)} is larger than ${MAX_UINT32}`
  return value
}

/** Splits at the first five colons and checks the numeric fields; the version is checked by the caller. */
export function splitHeader(bytes: Uint8Array): HeaderResult {
  const colons: number[] = []
  let from = 0
  while (colons.length < 5) {
    const at = bytes.indexOf(COLON, from)
    if (at === -1) break
    colons.push(at)
    from = at + 1
  }

  if (colons.length < 5) return {ok: false, reason: `only ${colons.length} of the 5 header colons`}
  const [c1, c2, c3, c4, c5] = colons
  const packetNo = parseDecimal(bytes.subarray(c1 + 1, c2), 'packet number')
  if (typeof packetNo === 'string') return {ok: false, reason: packetNo}
  const command = parseDecimal(bytes.subarray(c4 + 1, c5), 'command')
  if (typeof command === 'string') return {ok: false, reason: command}
  return {
    ok: true,
    header: {
      version: bytes.subarray(0, c1),
      packetNo,
      user: bytes.subarray(c2 + 1, c3),
      host: bytes.subarray(c3 + 1, c4),
      command,
      body: bytes.subarray(c5 + 1),
    },
  }
}
