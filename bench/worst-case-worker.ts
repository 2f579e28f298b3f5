// Runs in its own process (spawned by worst-case.ts): the time to decode and show one datagram, in each output
// mode, for an ordinary datagram and for the most expensive ones we could construct (64 KiB of accented letters, a
// combining-mark bomb, control characters, joined emoji, tag characters, CJK; names as long in an entry).
// Usage: node --import tsx bench/worst-case-worker.ts <seconds per case>. Prints one JSON object.
import type {PeerRow} from '../src/lan/presence.js'
import type {ReceivedDatagram} from '../src/lan/received-datagram.js'

import {decode} from '../src/protocol/index.js'
import {datagramJson} from '../src/ui/datagram-json.js'
import {DatagramRows, renderPeers, renderPeerScreen} from '../src/ui/listen-view.js'
import {SENDMSG_60, WINDOWS_ENTRY} from './support/packets.js'

export interface WorstCaseFigure {
  mode: string
  /** What a datagram's cost is bounded by in this mode: the screen (a terminal) or its whole size (a pipe). */
  bound: 'screen' | 'size'
  ordinary: CaseFigure
  worst: CaseFigure
  /** worst ÷ ordinary of the showing alone, per datagram (the datagram decoded beforehand). */
  ratio: number
  /** The same with the decoding counted. */
  ratioWithDecode: number
  /** worst ÷ ordinary of the showing alone, per byte written (for the modes that write the whole datagram). */
  ratioPerOutputByte: number
  cases: CaseFigure[]
}

export interface CaseFigure {
  name: string
  bytes: number
  /** Time to show the decoded datagram, and to decode and show it. */
  microseconds: number
  withDecode: number
  outputBytes: number
}

const MAX = 65_507 // the largest UDP payload over IPv4

/** A SENDMSG|UTF8OPT datagram whose text is `unit` repeated to fill a datagram. */
function message(unit: string): Uint8Array {
  const head = '1:1700000123:alice:ALICE-PC:8388640:'
  const times = Math.floor((MAX - head.length - 1) / Buffer.byteLength(unit))
  return Buffer.from(`${head}${unit.repeat(times)}\0`)
}

/** A BR_ENTRY|CAPUTF8OPT datagram whose nickname is `unit` repeated to fill a datagram. */
function entry(unit: string): Uint8Array {
  const head = '1:1700000124:alice:ALICE-PC:16777217:'
  const times = Math.floor((MAX - head.length - 2) / Buffer.byteLength(unit))
  return Buffer.from(`${head}${unit.repeat(times)}\0\0`)
}

const HEAVY_UNITS: Record<string, string> = {
  accents: 'e\u0301', // the case that took V8's segmenter seconds
  'mark bomb': '\u0301',
  controls: '\u0001',
  'joined emoji': '👨\u200D',
  tags: '\u{E0041}',
  cjk: '张',
}

const ORDINARY = [
  {name: '60-byte SENDMSG', bytes: SENDMSG_60},
  {name: 'Windows BR_ENTRY', bytes: WINDOWS_ENTRY},
]
const HEAVY = Object.entries(HEAVY_UNITS).flatMap(([name, unit]) => [
  {name: `64 KiB message: ${name}`, bytes: message(unit)},
  {name: `64 KiB nickname: ${name}`, bytes: entry(unit)},
])

const decoded = new Map<Uint8Array, ReturnType<typeof decode>>()
let decoding = true // false: each datagram's decode result is taken from `decoded`

function received(bytes: Uint8Array, i: number): ReceivedDatagram {
  let result = decoding ? undefined : decoded.get(bytes)
  if (result === undefined) {
    result = decode(bytes)
    decoded.set(bytes, result)
  }

  return {data: bytes, from: {address: '192.168.100.200', port: 2425}, receivedAt: 1_764_000_000_000 + i, result}
}

function peerRow(datagram: ReceivedDatagram, i: number): PeerRow {
  const p = datagram.result.ok ? datagram.result.packet : undefined
  return {
    address: `192.168.${i >> 8}.${i & 255}`,
    port: 2425,
    user: p?.user ?? '',
    host: p?.host ?? '',
    nickname: p?.nickname ?? p?.text ?? '',
    group: p?.group ?? '',
    client: p?.client ?? {kind: 'unknown', name: 'unknown'},
    firstSeen: datagram.receivedAt,
    lastSeen: datagram.receivedAt,
    status: 'present',
    packets: 1,
    options: p?.options ?? [],
  }
}

const terminal = new DatagramRows({color: false, hex: false, width: 80})
const pipe = new DatagramRows({color: false, hex: false})
const screen = {columns: 80, rows: 23}
/** A --peers frame holds at most a screen of peers: its cost is divided among the 21 rows it shows. */
const FRAME_PEERS = 21

/** Each mode: decode the datagram and produce what lanmsg writes for it. */
const MODES: Array<{mode: string; bound: 'screen' | 'size'; show: (bytes: Uint8Array, i: number) => string}> = [
  {mode: 'table row, 80-column terminal', bound: 'screen', show: (b, i) => terminal.row(received(b, i))},
  {mode: 'table row, into a pipe (whole text)', bound: 'size', show: (b, i) => pipe.row(received(b, i))},
  {mode: 'NDJSON line', bound: 'size', show: (b, i) => datagramJson(received(b, i))},
  {
    mode: '--peers frame, 80×24 (per peer shown)',
    bound: 'screen',
    show(b, i) {
      const rows = Array.from({length: FRAME_PEERS}, (_, k) => peerRow(received(b, i + k), k))
      return renderPeerScreen(rows, screen, {})
    },
  },
  {
    mode: 'peer table at exit, 80 columns (per peer)',
    bound: 'screen',
    show: (b, i) => renderPeers([peerRow(received(b, i), i)], {width: 80}),
  },
  {
    mode: 'peer table at exit, into a pipe (per peer)',
    bound: 'size',
    show: (b, i) => renderPeers([peerRow(received(b, i), i)], {}),
  },
]

let sink = 0

/** Microseconds per call of show(bytes) (best of 3 loops of `seconds`), and the bytes it writes. */
function measure(show: (bytes: Uint8Array, i: number) => string, bytes: Uint8Array, seconds: number, per: number) {
  const outputBytes = Buffer.byteLength(show(bytes, 0)) / per
  let best = Number.POSITIVE_INFINITY
  for (let loop = 0; loop < 3; loop++) {
    let calls = 0
    const started = performance.now()
    let elapsed = 0
    while (elapsed < seconds * 1000 || calls < 3) {
      sink += show(bytes, calls).length
      calls++
      elapsed = performance.now() - started
    }

    best = Math.min(best, (elapsed * 1000) / calls / per)
  }

  return {microseconds: best, outputBytes}
}

const seconds = Number(process.argv[2] ?? 0.3)
const figures: WorstCaseFigure[] = []
for (const {mode, bound, show} of MODES) {
  const per = mode.startsWith('--peers') ? FRAME_PEERS : 1
  const cases: CaseFigure[] = [...ORDINARY, ...HEAVY].map((c) => {
    decoding = true
    const withDecode = measure(show, c.bytes, seconds, per).microseconds
    decoding = false
    return {name: c.name, bytes: c.bytes.length, ...measure(show, c.bytes, seconds, per), withDecode}
  })
  const ordinary = cases.slice(0, ORDINARY.length).reduce((a, b) => (b.microseconds > a.microseconds ? b : a))
  const worst = cases.slice(ORDINARY.length).reduce((a, b) => (b.microseconds > a.microseconds ? b : a))
  figures.push({
    mode,
    bound,
    ordinary,
    worst,
    ratio: worst.microseconds / ordinary.microseconds,
    ratioWithDecode:
      Math.max(...cases.slice(ORDINARY.length).map((c) => c.withDecode)) /
      Math.max(...cases.slice(0, ORDINARY.length).map((c) => c.withDecode)),
    ratioPerOutputByte: worst.microseconds / worst.outputBytes / (ordinary.microseconds / ordinary.outputBytes),
    cases,
  })
}

process.stdout.write(`${JSON.stringify({figures, sink: sink > 0})}\n`)
