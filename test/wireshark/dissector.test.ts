// wireshark/ipmsg.lua run by tshark over a capture file of known packets says what lanmsg's own decode (the
// record of `listen --json`) says: every decode vector, the byte-exact packets of real peers, every mode with
// every option bit, a Feiqiu group message, a TCP file request. No network: the file is written here.
import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {decode, MODES} from '../../src/protocol/index.js'
import {clientLabel} from '../../src/ui/packet-summary.js'
import {fixtureBytes} from '../protocol/fixture-bytes.js'
import {feiqiuGroupDatagram} from '../support/feiqiu-group.js'
import {GETFILEDATA, PEER_PACKETS} from '../support/peer-packets.js'
import {
  compareCapture,
  dissect,
  IPMSG_FIELDS,
  lanmsgRecord,
  pcapToolsMissing,
  type RawFrame,
  tcpFrame,
  udpFrame,
  writePcap,
} from '../support/tshark.js'

describe('Wireshark dissector (wireshark/ipmsg.lua) against lanmsg’s decode', function () {
  this.timeout(60_000)
  let dir: string
  before(function () {
    const missing = pcapToolsMissing(['tshark'])
    if (missing) this.skip()
    dir = mkdtempSync(join(tmpdir(), 'lanmsg-dissector-'))
  })
  after(() => {
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('every decode vector and every packet of the real peers: the same fields as lanmsg', () => {
    const vectors = JSON.parse(readFileSync(new URL('../fixtures/protocol/vectors.json', import.meta.url), 'utf8'))
    const payloads = [
      // Not those decoded with a charset option: the dissector reads as lanmsg does by default.
      ...vectors.decode
        .filter((v: {options?: unknown}) => v.options === undefined)
        .map((v: {bytes: string}) => Buffer.from(fixtureBytes(v.bytes))),
      ...PEER_PACKETS,
      feiqiuGroupDatagram({mac: '1EB90DFD5A26', groupId: '3b199b07', time: 1_764_590_000, text: '大家好'}),
    ].filter((p: Buffer) => p.length > 0)
    const file = join(dir, 'vectors.pcap')
    writePcap(file, [...payloads.map((p: Buffer) => udpFrame(p)), tcpFrame(GETFILEDATA)])
    const {compared, problems} = compareCapture(file)
    expect(problems).to.deep.equal([])
    // Every payload lanmsg reads as IPMsg was compared (and the others had no IPMsg fields in tshark).
    expect(compared).to.equal(payloads.filter((p: Buffer) => decode(p).ok).length + 1)
  })

  it('the dialects (field notes §1–2): the client lanmsg names, IPDict keys, IpMsg.Net V2 frames, Feiqiu image ids', () => {
    const vectors = JSON.parse(readFileSync(new URL('../fixtures/protocol/vectors.json', import.meta.url), 'utf8'))
    const ids = [
      'D-vs-win64',
      'D-vs-ansentry-mac-beta',
      'D-vs-unknown-type',
      'D-feige-5.1',
      'D-feige-second-entry',
      'D-shiyeline-ansentry',
      'D-feiqiu-image',
      'D-ipdict-encrypted',
      'D-ipdict-cut-short',
      'D-ipmsgnet-v2',
    ]
    const payloads = ids.map((id) =>
      Buffer.from(fixtureBytes(vectors.decode.find((v: {id: string}) => v.id === id).bytes)),
    )
    const file = join(dir, 'dialects.pcap')
    writePcap(
      file,
      payloads.map((p) => udpFrame(p)),
    )
    const fields = [
      'ipmsg.client',
      'ipmsg.mode_name',
      'ipmsg.feiq.image_id',
      'ipmsg.ipdict.key',
      'ipmsg.ipdict.encrypted',
      'ipmsg.v2.packet_no',
      'ipmsg.v2.parts',
      'ipmsg.v2.part',
      'ipmsg.v2.ack',
    ]
    const layers = dissect(file, fields)
    expect(layers).to.have.length(ids.length)
    for (const [i, id] of ids.entries()) {
      const result = decode(payloads[i])
      const l = layers[i]
      if (result.ok) {
        const {packet} = result
        if (packet.client.kind !== 'feiqiu') {
          expect(l['ipmsg.client'], id).to.deep.equal([clientLabel(packet.client, packet.version)])
        }

        expect(l['ipmsg.mode_name'], id).to.deep.equal([packet.mode])
        expect(l['ipmsg.feiq.image_id'], id).to.deep.equal(packet.imageId === undefined ? undefined : [packet.imageId])
        continue
      }

      expect(l['ipmsg.mode_name'], `${id}: no classic header`).to.equal(undefined)
      const {dialect} = result
      if (dialect?.kind === 'ipdict') {
        expect(l['ipmsg.client'], id).to.deep.equal(['IP Messenger 4.5+'])
        expect(l['ipmsg.ipdict.key'], id).to.deep.equal(dialect.dict.entries.map((e) => e.key))
        expect(l['ipmsg.ipdict.encrypted'], id).to.deep.equal(
          dialect.dict.encrypted.length > 0 ? dialect.dict.encrypted : undefined,
        )
      } else if (dialect?.kind === 'ipmsgnet-v2') {
        expect(l['ipmsg.client'], id).to.deep.equal(['IpMsg.Net'])
        expect(l['ipmsg.v2.packet_no'], id).to.deep.equal([dialect.frame.packetNo])
        expect(l['ipmsg.v2.parts'], id).to.deep.equal([String(dialect.frame.parts)])
        expect(l['ipmsg.v2.part'], id).to.deep.equal([String(dialect.frame.part)])
        expect(l['ipmsg.v2.ack'], id).to.deep.equal([dialect.frame.ack ? '1' : '0'])
      } else expect.fail(`${id}: lanmsg names no dialect`)
    }
  })

  it('every mode of the reference with every option bit set: the names lanmsg gives', () => {
    const frames: RawFrame[] = Object.values(MODES).map((mode) =>
      udpFrame(Buffer.from(`1:${mode + 1}:u:h:${(0xffffff00 | mode) >>> 0}:x\0`)),
    )
    const file = join(dir, 'modes.pcap')
    writePcap(file, frames)
    const layers = dissect(file, IPMSG_FIELDS)
    expect(layers).to.have.length(Object.keys(MODES).length)
    for (const [i, mode] of Object.values(MODES).entries()) {
      const packet = lanmsgRecord(Buffer.from(`1:${mode + 1}:u:h:${(0xffffff00 | mode) >>> 0}:x\0`))!
      expect(layers[i]['ipmsg.mode_name'], `mode 0x${mode.toString(16)}`).to.deep.equal([packet.mode])
      expect(layers[i]['ipmsg.option'], packet.mode).to.deep.equal(packet.options)
    }
  })

  it('hostile bytes (the vectors cut, flipped and spliced): no Lua error, and still the fields lanmsg decodes', () => {
    const vectors = JSON.parse(readFileSync(new URL('../fixtures/protocol/vectors.json', import.meta.url), 'utf8'))
    const seeds: Buffer[] = [
      ...vectors.decode.map((v: {bytes: string}) => Buffer.from(fixtureBytes(v.bytes))),
      ...PEER_PACKETS,
    ].filter((p: Buffer) => p.length > 0)
    let state = 0x9e3779b9 // a fixed seed: the same file every run
    const random = (n: number) => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
      return state % n
    }

    const payloads: Buffer[] = []
    for (let i = 0; i < 1500; i++) {
      const p = Buffer.from(seeds[random(seeds.length)])
      const kind = random(4)
      switch (kind) {
        case 0: {
          payloads.push(p.subarray(0, random(p.length) + 1))
          break
        }

        case 1: {
          for (let k = 0; k < 3; k++) p[random(p.length)] = random(256)
          payloads.push(p)

          break
        }

        case 2: {
          payloads.push(Buffer.concat([p.subarray(0, random(p.length)), seeds[random(seeds.length)]]))
          break
        }

        default: {
          payloads.push(Buffer.concat([p, Buffer.from([0x07, 0x3a, random(256), 0x3a, 0x00])]))
        }
      }
    }

    const file = join(dir, 'hostile.pcap')
    writePcap(
      file,
      payloads.map((p) => udpFrame(p)),
    )
    // dissect() throws on any Lua error; text made of invalid bytes is compared for presence only
    const {compared, problems} = compareCapture(file, false)
    expect(problems).to.deep.equal([])
    expect(compared).to.equal(payloads.filter((p) => decode(p).ok).length)
  })

  it('another port only when the preference names it (tshark -o ipmsg.udp_ports:…)', () => {
    const file = join(dir, 'ports.pcap')
    const payload = Buffer.from('1:5:u:h:32:on another port\0')
    writePcap(file, [udpFrame(payload, 2426), udpFrame(payload, 2425)])
    const modes = (options: string[]) => dissect(file, IPMSG_FIELDS, options).map((l) => l['ipmsg.mode_name']?.[0])
    expect(modes([])).to.deep.equal([undefined, 'SENDMSG'])
    expect(modes(['-o', 'ipmsg.udp_ports:2425,2426'])).to.deep.equal(['SENDMSG', 'SENDMSG'])
    expect(modes(['-o', 'ipmsg.udp_ports:2426'])).to.deep.equal(['SENDMSG', undefined])
  })

  it('a TCP 2425 GETFILEDATA request: packet number, file id and offset (hex), as the request says', () => {
    const file = join(dir, 'tcp.pcap')
    writePcap(file, [tcpFrame(GETFILEDATA)])
    const [layers] = dissect(file, IPMSG_FIELDS)
    expect(layers['ipmsg.mode_name']).to.deep.equal(['GETFILEDATA'])
    expect(layers['ipmsg.request.packet_no']).to.deep.equal(['0x6b0ecff1'])
    expect(layers['ipmsg.request.file_id']).to.deep.equal(['0x00000002'])
    expect(layers['ipmsg.request.offset']).to.deep.equal(['0x0000000000001000'])
  })
})
