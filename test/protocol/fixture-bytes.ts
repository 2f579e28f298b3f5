// Turns the fixtures' byte notation into bytes: ASCII characters are bytes, `\xNN` is a raw byte,
// other characters are their UTF-8 encoding (see test/fixtures/protocol/vectors.json "notation").
import {Buffer} from 'node:buffer'

export function fixtureBytes(notation: string): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < notation.length; i++) {
    if (notation[i] === '\\' && notation[i + 1] === 'x' && /^[\da-f]{2}$/i.test(notation.slice(i + 2, i + 4))) {
      out.push(Number.parseInt(notation.slice(i + 2, i + 4), 16))
      i += 3
      continue
    }

    const code = notation.codePointAt(i)!
    if (code < 0x80) {
      out.push(code)
    } else {
      const char = String.fromCodePoint(code)
      out.push(...Buffer.from(char, 'utf8'))
      i += char.length - 1
    }
  }

  return Uint8Array.from(out)
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}
