// Generated datagrams for property tests of the JSON writers: IPMsg headers with awkward fields (any code unit but
// the separators), known client versions and command numbers, any body; or bytes that are not IPMsg at all.
import fc from 'fast-check'

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
