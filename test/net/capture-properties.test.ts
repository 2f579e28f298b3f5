// Property tests of the capture code: bad input from a file never crashes it (the parser throws only its own
// CaptureFileError; the frame decoder never throws), and a datagram written by the pcap writer reads back as the
// same datagram, IPv4 or IPv6, UDP or TCP.
import {expect} from 'chai'
import fc from 'fast-check'

import {CaptureFileError, CaptureFileParser} from '../../src/net/capture-file.js'
import {FrameDecoder, LINKTYPE, type TransportPayload} from '../../src/net/captured-frames.js'
import {pcapFileHeader, pcapRecord} from '../../src/net/capture-writer.js'

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147]

describe('net/capture properties', () => {
  it('the parser throws nothing but CaptureFileError, on any bytes, after either magic number', () => {
    const magic = fc.constantFrom(
      Buffer.from('d4c3b2a1', 'hex'),
      Buffer.from('a1b2c3d4', 'hex'),
      Buffer.from('4d3cb2a1', 'hex'),
      Buffer.from('0a0d0d0a', 'hex'),
      Buffer.alloc(0),
    )
    fc.assert(
      fc.property(magic, fc.uint8Array({maxLength: 600}), fc.integer({min: 1, max: 64}), (head, body, chunk) => {
        const file = Buffer.concat([head, body])
        const parser = new CaptureFileParser(() => {})
        try {
          for (let at = 0; at < file.length; at += chunk) parser.push(file.subarray(at, at + chunk))
          parser.end()
        } catch (error) {
          expect(error).to.be.instanceOf(CaptureFileError)
        }
      }),
      {numRuns: 3000},
    )
  })

  it('the frame decoder never throws, whatever the link type and bytes (IP headers made likely)', () => {
    const decoder = new FrameDecoder({ports: [2425]})
    const frame = fc.tuple(
      fc.uint8Array({maxLength: 200}),
      fc.constantFrom(0, 4, 14, 16, 20),
      fc.constantFrom(0x45, 0x60),
    )
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPES), frame, fc.integer(), (linkType, [bytes, at, version], time) => {
        const copy = Buffer.from(bytes)
        if (copy.length > at + 10) {
          copy[at] = version
          if (at === 14) copy.writeUInt16BE(version === 0x45 ? 0x08_00 : 0x86_dd, 12)
        }

        decoder.decode(linkType, time, copy)
      }),
      {numRuns: 5000},
    )
  })

  it('a datagram written by the pcap writer reads back the same (IPv4 and IPv6, UDP and TCP)', () => {
    const v4 = fc.ipV4()
    const v6 = fc.ipV6()
    const datagram = fc.record({
      transport: fc.constantFrom<'tcp' | 'udp'>('udp', 'tcp'),
      v6: fc.boolean(),
      fromPort: fc.constant(2425),
      toPort: fc.integer({min: 1, max: 65_535}),
      payload: fc.uint8Array({maxLength: 3000}),
      timeUs: fc.integer({min: 0, max: 4_000_000_000_000_000}),
    })
    fc.assert(
      // eslint-disable-next-line max-params -- fast-check passes one argument per generator
      fc.property(datagram, v4, v4, v6, v6, (d, a4, b4, a6, b6) => {
        const input: TransportPayload = {
          transport: d.transport,
          from: {address: d.v6 ? a6 : a4, port: d.fromPort},
          to: {address: d.v6 ? b6 : b4, port: d.toPort},
          payload: d.payload,
        }
        const seen: Array<{time: number; found?: TransportPayload}> = []
        const decoder = new FrameDecoder({ports: [2425]})
        const parser = new CaptureFileParser((linkType, time, frame) => {
          expect(linkType).to.equal(LINKTYPE.ETHERNET)
          seen.push({time, found: decoder.decode(linkType, time, frame)})
        })
        parser.push(Buffer.concat([pcapFileHeader(), pcapRecord(d.timeUs, input)]))
        parser.end()
        expect(seen).to.have.length(1)
        expect(seen[0].time).to.equal(d.timeUs)
        const found = seen[0].found!
        expect(found.transport).to.equal(input.transport)
        expect(found.from.port).to.equal(input.from.port)
        expect(found.to.port).to.equal(input.to.port)
        expect(Buffer.from(found.payload)).to.deep.equal(Buffer.from(input.payload))
        // The same address, in the canonical text form (fast-check may write IPv6 uncompressed or with upper case).
        expect(canonical(found.from.address)).to.equal(canonical(input.from.address))
        expect(canonical(found.to.address)).to.equal(canonical(input.to.address))
      }),
      {numRuns: 500},
    )
  })
})

/** An address in one spelling: IPv4 as it is, IPv6 as its 16 bytes in hex. */
function canonical(address: string): string {
  if (!address.includes(':')) return address
  const url = new URL(`http://[${address}]/`)
  return url.hostname
}
