import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import type {DecodeOptions, EncodeOptions, OutgoingPacket} from '../../src/protocol/index.js'

import {decode, encode, EncodeError} from '../../src/protocol/index.js'
import {fixtureBytes, hex} from './fixture-bytes.js'

interface DecodeVector {
  id: string
  source: string
  bytes: string
  options?: DecodeOptions
  expect: {
    absent?: string[]
    /** A known dialect without the classic header: the result's `dialect`, deep-equal. */
    dialect?: Record<string, unknown>
    error?: string
    ok: boolean
    packet?: Record<string, unknown>
  }
}

interface EncodeVector {
  id: string
  source: string
  packet: OutgoingPacket
  options?: EncodeOptions
  bytes?: string
  throws?: string
}

const vectors = JSON.parse(readFileSync(new URL('../fixtures/protocol/vectors.json', import.meta.url), 'utf8')) as {
  decode: DecodeVector[]
  encode: EncodeVector[]
}

describe('conformance vectors (test/fixtures/protocol/vectors.json)', () => {
  it('has every §12 vector and at least 30 more', () => {
    const ids = new Set(vectors.decode.map((v) => v.id))
    for (const id of ['V1', 'V2', 'V3', 'V5', 'V11', 'V18', 'V27']) expect(ids.has(id), id).to.equal(true)
    expect(vectors.decode.length + vectors.encode.length).to.be.at.least(37)
    for (const v of [...vectors.decode, ...vectors.encode]) expect(v.source, v.id).to.be.a('string').and.not.empty
  })

  describe('decode', () => {
    for (const vector of vectors.decode) {
      it(`${vector.id}: ${vector.source}`, () => {
        const raw = fixtureBytes(vector.bytes)
        const result = decode(raw, vector.options)
        expect(result.raw).to.equal(raw)
        if (!vector.expect.ok) {
          expect(result.ok, 'should be rejected').to.equal(false)
          if (result.ok) return
          if (vector.expect.error) expect(result.error).to.include(vector.expect.error)
          expect(result.dialect, 'dialect').to.deep.equal(vector.expect.dialect)
          // Field notes §1–2: a known dialect is named, never called "not IPMsg".
          if (result.dialect) expect(result.error).not.to.include('not IPMsg')
          return
        }

        if (!result.ok) expect.fail(`rejected: ${result.error}`)
        const packet = result.packet as unknown as Record<string, unknown>
        for (const [key, value] of Object.entries(vector.expect.packet ?? {})) {
          expect(packet[key], key).to.deep.equal(value)
        }

        for (const key of vector.expect.absent ?? []) expect(packet, key).not.to.have.property(key)
      })
    }
  })

  describe('encode', () => {
    for (const vector of vectors.encode) {
      it(`${vector.id}: ${vector.source}`, () => {
        if (vector.throws) {
          expect(() => encode(vector.packet, vector.options))
            .to.throw(EncodeError)
            .with.property('code', vector.throws)
          return
        }

        const result = encode(vector.packet, vector.options)
        expect(hex(result.bytes)).to.equal(hex(fixtureBytes(vector.bytes!)))
        expect(result.truncated).to.equal(false)
      })
    }
  })
})
