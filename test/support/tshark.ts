// tshark with lanmsg's Lua dissector (wireshark/ipmsg.lua) over a capture file, and what it says about each frame
// next to lanmsg's own decode of the same bytes. Reading a file sends nothing (-n: no name look-ups either).
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'

import {decode} from '../../src/protocol/index.js'
import {toDatagramRecord} from '../../src/ui/datagram-record.js'
import {REPO_ROOT} from './netns.js'

export const DISSECTOR = `${REPO_ROOT}wireshark/ipmsg.lua`

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
}

/** Why the capture tests cannot run here, or undefined; LANMSG_REQUIRE_PCAP=1 turns a reason into a failure. */
export function pcapToolsMissing(tools: string[] = ['tshark']): string | undefined {
  const missing = tools.filter((tool) => !has(tool))
  if (missing.length === 0) return undefined
  const reason = `${missing.join(' and ')} not installed (Debian: apt-get install ${missing.join(' ')})`
  if (process.env.LANMSG_REQUIRE_PCAP === '1') throw new Error(`LANMSG_REQUIRE_PCAP=1 but ${reason}`)
  return reason
}

/**
 * tcpdump on a host's eth0 writing `file`: `-Z root`, or tcpdump drops to its own user and cannot write into the
 * test's private folder; `--immediate-mode`, or the last second's packets are still in the kernel at SIGINT.
 */
export function tcpdumpArgv(file: string, filter: string): string[] {
  return ['tcpdump', '-i', 'eth0', '-n', '-U', '--immediate-mode', '-Z', 'root', '-w', file, filter]
}

export type Layers = Record<string, string[]>

/** Every frame of the file as tshark's `-T json -e …` layers: field name → the values in the frame, in order. */
export function dissect(file: string, fields: string[], options: string[] = []): Layers[] {
  const run = spawnSync(
    'tshark',
    ['-n', '-X', `lua_script:${DISSECTOR}`, ...options, '-r', file, '-T', 'json', ...fields.flatMap((f) => ['-e', f])],
    {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: {...process.env, LC_ALL: 'C.UTF-8'}},
  )
  // A Lua error does not stop tshark: it goes to stderr, or into the tree as "Lua Error".
  if (run.status !== 0 || /Lua: Error|Lua Error/i.test(run.stderr + run.stdout)) {
    throw new Error(`tshark failed (${run.status}): ${run.stderr}`)
  }

  return (JSON.parse(run.stdout) as Array<{_source: {layers: Layers}}>).map((frame) => frame._source.layers)
}

export interface RawFrame {
  /** The IPv4 packet (header and payload): the capture's link type is raw IP. */
  ip: Buffer
}

function checksum(header: Buffer): number {
  let sum = 0
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

function ipv4(protocol: number, src: string, dst: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(20)
  header.writeUInt8(0x45, 0)
  header.writeUInt16BE(20 + payload.length, 2)
  header.writeUInt8(64, 8)
  header.writeUInt8(protocol, 9)
  Buffer.from(src.split('.').map(Number)).copy(header, 12)
  Buffer.from(dst.split('.').map(Number)).copy(header, 16)
  header.writeUInt16BE(checksum(header), 10)
  return Buffer.concat([header, payload])
}

/** A UDP datagram from src:port to dst:port (checksum 0: none, allowed in IPv4). */
export function udpFrame(payload: Buffer, port = 2425, src = '10.0.0.1', dst = '10.0.0.2'): RawFrame {
  const udp = Buffer.alloc(8)
  udp.writeUInt16BE(port, 0)
  udp.writeUInt16BE(port, 2)
  udp.writeUInt16BE(8 + payload.length, 4)
  return {ip: ipv4(17, src, dst, Buffer.concat([udp, payload]))}
}

/** One TCP segment (PSH|ACK) from a high port to 2425, e.g. a GETFILEDATA request. */
export function tcpFrame(payload: Buffer, src = '10.0.0.1', dst = '10.0.0.2'): RawFrame {
  const tcp = Buffer.alloc(20)
  tcp.writeUInt16BE(40_000, 0)
  tcp.writeUInt16BE(2425, 2)
  tcp.writeUInt32BE(1, 4)
  tcp.writeUInt32BE(1, 8)
  tcp.writeUInt8(5 << 4, 12)
  tcp.writeUInt8(0x18, 13)
  tcp.writeUInt16BE(65_535, 14)
  return {ip: ipv4(6, src, dst, Buffer.concat([tcp, payload]))}
}

/** A classic pcap file (LINKTYPE_RAW = 101), one frame a second. */
export function writePcap(file: string, frames: RawFrame[]): void {
  const header = Buffer.alloc(24)
  header.writeUInt32LE(0xa1b2c3d4, 0)
  header.writeUInt16LE(2, 4)
  header.writeUInt16LE(4, 6)
  header.writeUInt32LE(262_144, 16)
  header.writeUInt32LE(101, 20)
  const records = frames.map((frame, i) => {
    const record = Buffer.alloc(16)
    record.writeUInt32LE(1_764_590_000 + i, 0)
    record.writeUInt32LE(frame.ip.length, 8)
    record.writeUInt32LE(frame.ip.length, 12)
    return Buffer.concat([record, frame.ip])
  })
  writeFileSync(file, Buffer.concat([header, ...records]))
}

/** The dissector's fields the tests read. */
export const IPMSG_FIELDS = [
  'frame.number',
  'udp.payload',
  'tcp.payload',
  'ipmsg.version',
  'ipmsg.packet_no',
  'ipmsg.user',
  'ipmsg.host',
  'ipmsg.command',
  'ipmsg.mode',
  'ipmsg.mode_name',
  'ipmsg.option',
  'ipmsg.charset',
  'ipmsg.text',
  'ipmsg.font',
  'ipmsg.encrypted',
  'ipmsg.nickname',
  'ipmsg.group',
  'ipmsg.ext.key',
  'ipmsg.ext.un',
  'ipmsg.ext.hn',
  'ipmsg.ext.nn',
  'ipmsg.ext.gn',
  'ipmsg.ext.vs',
  'ipmsg.iptux.icon',
  'ipmsg.iptux.encoding',
  'ipmsg.ack',
  'ipmsg.file.id',
  'ipmsg.file.name',
  'ipmsg.file.size',
  'ipmsg.file.mtime',
  'ipmsg.file.attr',
  'ipmsg.file.type',
  'ipmsg.request.packet_no',
  'ipmsg.request.file_id',
  'ipmsg.request.offset',
  'ipmsg.client',
  'ipmsg.feiq.generation',
  'ipmsg.feiq.avatar',
  'ipmsg.feiq.mac',
  'ipmsg.feiq.cipher_len',
  'ipmsg.ciphertext',
]

/** What lanmsg's --json says about a packet, in the terms of the dissector's fields (what they must show). */
export interface LanmsgPacket {
  version: string
  client: {kind: string; mac?: string; avatar?: number; generation?: string; parts?: string[]}
  packetNo: number
  user: string
  host: string
  command: number
  mode: string
  options: string[]
  text: string
  nickname: null | string
  group: null | string
  charset: string
  acknowledges: null | number
  attachments: Array<{id: number; name: string; sizeHex: string; mtime: number; attr: number; type: string}>
  font?: string
  encrypted?: boolean
  extension?: Record<string, string>
  iptux?: {icon?: string; encoding?: string}
  groupChat?: unknown
}

const one = (layers: Layers, field: string): string | undefined => layers[field]?.[0]
const present = (value: null | string | undefined) => value !== null && value !== undefined

type Compare = (what: string, actual: null | string | undefined, expected: null | string | undefined) => void

/** iptux's entry parts after the group: its icon and the encoding it declares. */
function compareIptux(layers: Layers, p: LanmsgPacket, text: Compare): void {
  for (const key of ['icon', 'encoding'] as const) {
    text(`iptux ${key}`, one(layers, `ipmsg.iptux.${key}`), p.iptux?.[key])
  }
}

/**
 * The differences between tshark's fields for one frame and lanmsg's decode of the same bytes ([] when none). Bytes
 * that are not valid in their charset become different replacement characters in Wireshark and in iconv-lite: with
 * compareText false, text fields are compared for presence only.
 */
// eslint-disable-next-line max-lines-per-function -- one comparison per dissector field, read as a list
export function differences(layers: Layers, p: LanmsgPacket, compareText = true): string[] {
  const out: string[] = []
  const same = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      out.push(`${what}: tshark ${JSON.stringify(actual)}, lanmsg ${JSON.stringify(expected)}`)
    }
  }

  const text = (what: string, actual: null | string | undefined, expected: null | string | undefined) =>
    compareText ? same(what, actual, expected) : same(`${what} present`, present(actual), present(expected))
  const list = (field: string) => layers[field] ?? []

  text('version', one(layers, 'ipmsg.version'), p.version)
  same('packet number', Number(one(layers, 'ipmsg.packet_no')), p.packetNo)
  same('command', Number(one(layers, 'ipmsg.command')), p.command)
  same('mode', one(layers, 'ipmsg.mode_name'), p.mode)
  same('options', list('ipmsg.option'), p.options)
  same('charset', one(layers, 'ipmsg.charset'), p.charset)
  // lanmsg's user, host, nickname and group come from the UTF-8 extension when there is one (ipmsg.md §1.4).
  text('user', one(layers, 'ipmsg.ext.un') ?? one(layers, 'ipmsg.user'), p.user)
  text('host', one(layers, 'ipmsg.ext.hn') ?? one(layers, 'ipmsg.host'), p.host)
  text('nickname', one(layers, 'ipmsg.ext.nn') ?? one(layers, 'ipmsg.nickname') ?? null, p.nickname)
  text('group', one(layers, 'ipmsg.ext.gn') ?? one(layers, 'ipmsg.group') ?? null, p.group)
  same('extension keys', list('ipmsg.ext.key'), Object.keys(p.extension ?? {}))
  for (const key of ['UN', 'HN', 'NN', 'GN', 'VS']) {
    text(`extension ${key}`, one(layers, `ipmsg.ext.${key.toLowerCase()}`), p.extension?.[key])
  }

  compareIptux(layers, p, text)
  if (p.groupChat === undefined && p.nickname === null) text('text', one(layers, 'ipmsg.text'), p.text)
  text('font', one(layers, 'ipmsg.font'), p.groupChat === undefined ? p.font : undefined)
  same('encrypted', one(layers, 'ipmsg.encrypted') !== undefined, p.encrypted === true || p.groupChat !== undefined)
  same('acknowledges', one(layers, 'ipmsg.ack') ?? null, p.acknowledges === null ? null : String(p.acknowledges))
  const files = p.attachments
  same(
    'file ids',
    list('ipmsg.file.id'),
    files.map((a) => String(a.id)),
  )
  if (compareText)
    same(
      'file names',
      list('ipmsg.file.name'),
      files.map((a) => a.name),
    )
  same(
    'file sizes',
    list('ipmsg.file.size'),
    files.map((a) => BigInt(`0x${a.sizeHex}`).toString()),
  )
  same(
    'file attrs',
    list('ipmsg.file.attr').map(Number),
    files.map((a) => a.attr),
  )
  same(
    'file types',
    list('ipmsg.file.type'),
    files.map((a) => a.type),
  )
  if (p.client.kind === 'feiqiu') {
    text('Feiqiu MAC', one(layers, 'ipmsg.feiq.mac'), p.client.mac)
    same('Feiqiu avatar', one(layers, 'ipmsg.feiq.avatar'), p.client.avatar?.toString())
    same('Feiqiu generation', one(layers, 'ipmsg.feiq.generation'), p.client.generation)
  }

  return out
}

/** lanmsg's decode of a payload, as `listen --json` records it (null: not IPMsg). */
export function lanmsgRecord(bytes: Uint8Array): LanmsgPacket | null {
  const data = Buffer.from(bytes)
  const record = toDatagramRecord({data, from: {address: '10.0.0.1', port: 2425}, receivedAt: 0, result: decode(data)})
  return record.packet as LanmsgPacket | null
}

/** Every frame's differences from lanmsg's decode of the same payload, keyed by frame number. */
export function compareCapture(file: string, compareText = true): {compared: number; problems: string[]} {
  const problems: string[] = []
  let compared = 0
  for (const layers of dissect(file, IPMSG_FIELDS)) {
    const hex = layers['udp.payload']?.[0] ?? layers['tcp.payload']?.[0]
    if (hex === undefined) continue
    const packet = lanmsgRecord(Buffer.from(hex.replaceAll(':', ''), 'hex'))
    const frame = layers['frame.number'][0]
    if (packet === null) {
      if (layers['ipmsg.mode_name']) problems.push(`frame ${frame}: tshark decodes what lanmsg calls not IPMsg`)
      continue
    }

    compared++
    for (const d of differences(layers, packet, compareText)) problems.push(`frame ${frame}: ${d}`)
  }

  return {compared, problems}
}
