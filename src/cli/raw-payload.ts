// The bytes of `--raw` and `--raw-hex`, for poking at any UDP service.
import {UsageError} from '../net/usage-error.js'

const SIMPLE: Record<string, number> = {
  '0': 0,
  '\\': 0x5c,
  a: 7,
  b: 8,
  e: 0x1b,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
}

/** `\n \r \t \0 \\ \xNN` (and \a \b \e \f \v) become bytes; everything else is sent as UTF-8. */
export function parseRawEscapes(input: string): Uint8Array {
  const bytes: number[] = []
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]
    if (ch !== '\\') {
      // An astral character (an emoji) is two UTF-16 units: encoded one by one, each became U+FFFD.
      bytes.push(...Buffer.from(input.codePointAt(i)! > 0xffff ? input.slice(i, ++i + 1) : ch, 'utf8'))
      continue
    }

    const next = input[i + 1]
    if (next === 'x') {
      const hex = input.slice(i + 2, i + 4)
      if (!/^[\da-f]{2}$/i.test(hex))
        throw new UsageError(`--raw: \\x must be followed by two hex digits (e.g. \\x00), got "\\x${hex}"`)
      bytes.push(Number.parseInt(hex, 16))
      i += 3
    } else if (next !== undefined && next in SIMPLE) {
      bytes.push(SIMPLE[next])
      i++
    } else {
      throw new UsageError(`--raw: unknown escape "\\${next ?? ''}"; use \\n \\r \\t \\0 \\\\ or \\xNN`)
    }
  }

  return Uint8Array.from(bytes)
}

/** Hex digits, with optional spaces, colons or a 0x prefix: "31 3a 31", "313a31", "0x31:3a". */
export function parseRawHex(input: string): Uint8Array {
  const digits = input.replace(/0x/gi, '').replace(/[\s:,-]/g, '')
  if (!/^(?:[\da-f]{2})*$/i.test(digits)) {
    throw new UsageError(`--raw-hex: expected pairs of hex digits such as "31 3a 31 3a", got ${JSON.stringify(input)}`)
  }

  return Uint8Array.from(Buffer.from(digits, 'hex'))
}
