// Datagrams for the tests of the JSON writers (datagram-json, datagram-json-bytes): the codec's decode vectors, a
// received datagram around given bytes, and generated ones: IPMsg headers with awkward fields (any code unit but
// the separators), known client versions and command numbers, any body; or bytes that are not IPMsg at all.
import fc from 'fast-check'
import {readFileSync} from 'node:fs'

import type {ReceivedDatagram} from '../../src/lan/received-datagram.js'
import type {DecodeOptions} from '../../src/protocol/index.js'

import {decode} from '../../src/protocol/index.js'

/** The codec's decode vectors (test/fixtures/protocol/vectors.json). */
export const decodeVectors = (
  JSON.parse(readFileSync(new URL('../fixtures/protocol/vectors.json', import.meta.url), 'utf8')) as {
    decode: Array<{bytes: string; id: string; options?: DecodeOptions}>
  }
).decode

/** `data` as listen receives it from 192.168.1.20:2425, decoded with `options`. */
export function receivedDatagram(
  data: Uint8Array,
  options: DecodeOptions = {},
  receivedAt = 1_700_000_000_123,
): ReceivedDatagram {
  return {data, from: {address: '192.168.1.20', port: 2425}, receivedAt, result: decode(data, options)}
}

const field = fc.string({unit: 'binary', maxLength: 12}).map((s) => s.replaceAll(':', ';').replaceAll('\0', ''))

const ipmsg = fc
  .tuple(
    fc.constantFrom('1', '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9', '1_iptux 0.9.4'),
    fc.integer({min: 0, max: 0xffffffff}),
    field,
    field,
    fc.oneof(fc.integer({min: 0, max: 0xffffffff}), fc.constantFrom(0x120, 0x200120, 0x800120, 0x21, 0x1000001)),
    fc.uint8Array({maxLength: 40}),
  )
  .map(([v, n, u, h, c, body]) => Buffer.concat([Buffer.from(`${v}:${n}:${u}:${h}:${c}:`), body]))

/** An IPMsg datagram or arbitrary bytes, up to 60 of them. */
export const datagramBytes: fc.Arbitrary<Uint8Array> = fc.oneof(ipmsg, fc.uint8Array({maxLength: 60}))
