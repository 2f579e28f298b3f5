// Fake IP Messenger peers for command tests, written with raw bytes (not with lanmsg's encoder or decoder) so
// that they check lanmsg against an independent reading of the protocol (../shared/protocol/ipmsg.md §1, §3).
// They bind to loopback or to 0.0.0.0 and answer only to the address a datagram came from (loopback in tests).
import dgram from 'node:dgram'

export const IPMSG = {
  BR_ENTRY: 0x01,
  BR_EXIT: 0x02,
  ANSENTRY: 0x03,
  SENDMSG: 0x20,
  RECVMSG: 0x21,
  GETINFO: 0x40,
  SENDINFO: 0x41,
  SENDCHECKOPT: 0x100,
  BROADCASTOPT: 0x400,
  UTF8OPT: 0x0080_0000,
  CAPUTF8OPT: 0x0100_0000,
} as const

/** One datagram a fake peer received, with its header split at the first five colons (§1.2). */
export interface Heard {
  data: Buffer
  from: {address: string; port: number}
  at: number
  /** The header fields as latin1 text, or undefined when there are fewer than five colons. */
  header?: {version: string; packetNo: number; user: string; host: string; command: number}
  /** The bytes after the fifth colon. */
  body?: Buffer
  mode?: number
}

export function parseHeard(data: Buffer, from: {address: string; port: number}, at = Date.now()): Heard {
  const heard: Heard = {data, from, at}
  const colons: number[] = []
  for (let i = 0; i < data.length && colons.length < 5; i++) if (data[i] === 0x3a) colons.push(i)
  if (colons.length < 5) return heard
  const field = (k: number) => data.subarray(k === 0 ? 0 : colons[k - 1] + 1, colons[k]).toString('latin1')
  const command = Number(field(4))
  heard.header = {version: field(0), packetNo: Number(field(1)), user: field(2), host: field(3), command}
  heard.body = data.subarray(colons[4] + 1)
  heard.mode = command & 0xff
  return heard
}

export interface FakePeerOptions {
  port: number
  /** '0.0.0.0' (with reuseAddr, to share a port and hear loopback broadcasts) or '127.0.0.1'. */
  bindAddress?: '0.0.0.0' | '127.0.0.1'
  /**
   * This peer's own loopback address (e.g. '127.0.0.2'): replies are sent from it, through a second socket bound
   * to it on the same port, so that peers sharing a port still look like different hosts, as on a real LAN.
   */
  address?: string
  user: string
  host: string
  /** Nickname as text (sent as UTF-8) or as exact bytes (e.g. GBK). */
  nick: Buffer | string
  group?: Buffer | string
  /** Version field: '1' (IP Messenger), '1_iptux 0.10.0', '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9' (Feiqiu)… */
  version?: string
  /** Command word of the ANSENTRY (default 3; Feiqiu sends 0x600003). */
  ansEntryCommand?: number
  /** Ignore this many copies of each SENDMSG|SENDCHECKOPT before acknowledging one (Infinity: never ack). */
  ignoreFirst?: number
  /** Answer BR_ENTRY (default true). */
  answerEntry?: boolean
  /** SENDINFO text (default 'Win(en)Ver4.99r3'). */
  info?: string
  onPacket?: (heard: Heard) => void
}

export interface FakePeer {
  readonly port: number
  readonly heard: Heard[]
  /** Every datagram this peer sent, with its destination. */
  readonly said: {data: Buffer; to: {address: string; port: number}}[]
  close(): Promise<void>
}

function bytes(value: Buffer | string | undefined): Buffer {
  if (value === undefined) return Buffer.alloc(0)
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value
}

function bindUdp(port: number, address: string, reuseAddr: boolean): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({type: 'udp4', reuseAddr})
    socket.once('error', reject)
    socket.bind({port, address}, () => {
      socket.removeListener('error', reject)
      resolve(socket)
    })
  })
}

function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve())
    } catch {
      resolve()
    }
  })
}

let nextReplyNo = 5000

export async function startFakePeer(options: FakePeerOptions): Promise<FakePeer> {
  const bindAddress = options.bindAddress ?? '127.0.0.1'
  const socket = await bindUdp(options.port, bindAddress, bindAddress === '0.0.0.0')
  const own = options.address === undefined ? socket : await bindUdp(options.port, options.address, true)
  const version = options.version ?? '1'
  const heard: Heard[] = []
  const said: FakePeer['said'] = []
  const copies = new Map<number, number>()

  const header = (command: number) =>
    Buffer.from(`${version}:${nextReplyNo++}:${options.user}:${options.host}:${command}:`, 'latin1')
  const reply = (data: Buffer, to: {address: string; port: number}) => {
    said.push({data, to})
    own.send(data, to.port, to.address)
  }

  const onMessage = (data: Buffer, rinfo: dgram.RemoteInfo) => {
    const h = parseHeard(data, {address: rinfo.address, port: rinfo.port})
    heard.push(h)
    options.onPacket?.(h)
    if (h.header === undefined) return
    const {command, packetNo} = h.header
    switch (h.mode) {
      case IPMSG.BR_ENTRY: {
        if (options.answerEntry === false) return
        const nul = Buffer.of(0)
        const body = Buffer.concat([bytes(options.nick), nul, bytes(options.group), nul])
        reply(Buffer.concat([header(options.ansEntryCommand ?? IPMSG.ANSENTRY), body]), h.from)
        return
      }

      case IPMSG.SENDMSG: {
        if ((command & IPMSG.SENDCHECKOPT) === 0) return
        const seen = (copies.get(packetNo) ?? 0) + 1
        copies.set(packetNo, seen)
        if (seen <= (options.ignoreFirst ?? 0)) return
        reply(Buffer.concat([header(IPMSG.RECVMSG), Buffer.from(`${packetNo}\0`, 'latin1')]), h.from)
        return
      }

      case IPMSG.GETINFO: {
        reply(Buffer.concat([header(IPMSG.SENDINFO), Buffer.from(`${options.info ?? 'Win(en)Ver4.99r3'}\0`)]), h.from)
      }
    }
  }

  socket.on('message', onMessage)
  if (own !== socket) own.on('message', onMessage)
  const close = async () => {
    await closeSocket(socket)
    if (own !== socket) await closeSocket(own)
  }

  return {port: options.port, heard, said, close}
}

/** A UDP echo service on 127.0.0.1: sends every datagram back to where it came from. */
export async function startEchoServer(port: number): Promise<FakePeer> {
  const socket = await bindUdp(port, '127.0.0.1', false)
  const heard: Heard[] = []
  const said: FakePeer['said'] = []
  socket.on('message', (data, rinfo) => {
    const from = {address: rinfo.address, port: rinfo.port}
    heard.push(parseHeard(data, from))
    said.push({data, to: from})
    socket.send(data, rinfo.port, rinfo.address)
  })
  return {port, heard, said, close: () => closeSocket(socket)}
}

/** A plain socket that holds a port without sharing it (no reuseAddr), so that lanmsg cannot bind it. */
export async function holdPort(port: number): Promise<{close(): Promise<void>}> {
  const socket = await bindUdp(port, '0.0.0.0', false)
  return {close: () => closeSocket(socket)}
}

export {freeUdpPort} from './udp-ports.js'

/** Resolves once `condition()` holds, checking every 10 ms; rejects after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 1000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)

    await new Promise((resolve) => {
      setTimeout(resolve, 10)
    })
  }
}

/** The datagrams with a parsed header (the IPMsg packets), in arrival order. */
export function packets(peer: FakePeer): Array<Heard & {header: NonNullable<Heard['header']>}> {
  return peer.heard.filter((h): h is Heard & {header: NonNullable<Heard['header']>} => h.header !== undefined)
}
