// An independent IPMsg sender for command tests: packets are assembled from raw bytes (never with lanmsg's encoder),
// sent from a socket this module binds, and whatever comes back is collected and split with its own header parser
// (../shared/protocol/ipmsg.md §1.2, §1.4). Destinations are loopback only (127.0.0.0/8), checked here as well as by
// test/support/send-guard.ts.
import dgram from 'node:dgram'

/** Command and option numbers, written out from the protocol document (§2.1, §2.2), not imported from src/. */
export const CMD = {
  NOOPERATION: 0x00,
  BR_ENTRY: 0x01,
  BR_EXIT: 0x02,
  ANSENTRY: 0x03,
  BR_ABSENCE: 0x04,
  SENDMSG: 0x20,
  RECVMSG: 0x21,
  GETINFO: 0x40,
  SENDINFO: 0x41,
  GETABSENCEINFO: 0x50,
  SENDABSENCEINFO: 0x51,
} as const

export const OPT = {
  ABSENCEOPT: 0x0000_0100,
  SENDCHECKOPT: 0x0000_0100,
  BROADCASTOPT: 0x0000_0400,
  AUTORETOPT: 0x0000_2000,
  FILEATTACHOPT: 0x0020_0000,
  ENCRYPTOPT: 0x0040_0000,
  UTF8OPT: 0x0080_0000,
  CAPUTF8OPT: 0x0100_0000,
} as const

export type Bytes = Buffer | string

/** Text as UTF-8 bytes; a Buffer as it is (e.g. GBK bytes written out by hand). */
export function toBytes(value: Bytes): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value
}

export interface HeaderFields {
  /** Version field, default '1'. */
  version?: Bytes
  packetNo: number
  user: Bytes
  host: Bytes
  command: number
}

/** `version:packetNo:user:host:command:` followed by the body parts, byte for byte (§1.2). */
export function ipmsgPacket(header: HeaderFields, ...body: Bytes[]): Buffer {
  const colon = Buffer.from(':')
  return Buffer.concat([
    toBytes(header.version ?? '1'),
    colon,
    Buffer.from(String(header.packetNo)),
    colon,
    toBytes(header.user),
    colon,
    toBytes(header.host),
    colon,
    Buffer.from(String(header.command >>> 0)),
    colon,
    ...body.map((part) => toBytes(part)),
  ])
}

export const NUL = Buffer.of(0)

/** One datagram that came back to a sender, with its header split at the first five colons (§1.2). */
export interface Reply {
  data: Buffer
  from: {address: string; port: number}
  at: number
  /** Header fields (latin1), or undefined when the datagram has fewer than five colons. */
  header?: {version: string; packetNo: number; user: string; host: string; command: number}
  /** Low 8 bits of the command word. */
  mode?: number
  /** Everything after the fifth colon. */
  body?: Buffer
  /** The body's NUL-separated parts, as UTF-8 text (a trailing empty part dropped). */
  parts?: string[]
}

export function parseReply(data: Buffer, from: {address: string; port: number}, at = Date.now()): Reply {
  const reply: Reply = {data, from, at}
  const colons: number[] = []
  for (let i = 0; i < data.length && colons.length < 5; i++) if (data[i] === 0x3a) colons.push(i)
  if (colons.length < 5) return reply
  const field = (k: number) => data.subarray(k === 0 ? 0 : colons[k - 1] + 1, colons[k]).toString('latin1')
  const command = Number(field(4))
  reply.header = {version: field(0), packetNo: Number(field(1)), user: field(2), host: field(3), command}
  reply.mode = command & 0xff
  reply.body = data.subarray(colons[4] + 1)
  const parts = reply.body.toString('utf8').split('\0')
  if (parts.length > 1 && parts.at(-1) === '') parts.pop()
  reply.parts = parts
  return reply
}

export interface SenderOptions {
  /** Local address to bind: '127.0.0.1' (default), another 127.x address, or '0.0.0.0'. */
  address?: string
  /** Local port; 0 (default) for an ephemeral one. */
  port?: number
  /** SO_REUSEADDR, needed to share a port with lanmsg (default: true when binding 0.0.0.0). */
  reuseAddr?: boolean
  /** Allow sending to 127.255.255.255 (default true). */
  broadcast?: boolean
}

export interface Sender {
  readonly address: string
  readonly port: number
  /** Every datagram received so far, in arrival order. */
  readonly received: Reply[]
  /** Sends one datagram to a loopback address (default 127.0.0.1) and resolves once it has left. */
  send(data: Bytes, port: number, address?: string): Promise<void>
  /** Sends the datagrams one after another, `gapMs` apart (default 5 ms), so that they arrive in order. */
  sendAll(data: Bytes[], port: number, opts?: {address?: string; gapMs?: number}): Promise<void>
  /** The IPMsg replies (datagrams with a header), optionally only those with this mode. */
  replies(mode?: number): Array<Reply & {header: NonNullable<Reply['header']>}>
  /** Resolves with the received datagrams once `condition` holds for them; rejects after timeoutMs. */
  waitFor(condition: (received: Reply[]) => boolean, timeoutMs?: number, what?: string): Promise<Reply[]>
  close(): Promise<void>
}

function assertLoopback(address: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) {
    throw new Error(`ipmsg-sender: refusing to send to ${address}: tests send UDP to loopback only`)
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms)
  })

// eslint-disable-next-line max-lines-per-function -- its methods close over one socket and one list
export async function openSender(options: SenderOptions = {}): Promise<Sender> {
  const bindAddress = options.address ?? '127.0.0.1'
  const socket = dgram.createSocket({type: 'udp4', reuseAddr: options.reuseAddr ?? bindAddress === '0.0.0.0'})
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind({address: bindAddress, port: options.port ?? 0}, () => {
      socket.removeListener('error', reject)
      resolve()
    })
  })
  socket.setBroadcast(options.broadcast ?? true)
  const received: Reply[] = []
  socket.on('message', (data, rinfo) => received.push(parseReply(data, {address: rinfo.address, port: rinfo.port})))
  socket.on('error', () => {}) // e.g. ICMP port unreachable after the listener exited: not a test failure here

  const send = (data: Bytes, port: number, address = '127.0.0.1') => {
    assertLoopback(address)
    return new Promise<void>((resolve, reject) => {
      socket.send(toBytes(data), port, address, (error) => (error ? reject(error) : resolve()))
    })
  }

  let closed: Promise<void> | undefined
  const sender: Sender = {
    address: bindAddress,
    port: socket.address().port,
    received,
    send,
    async sendAll(data, port, opts = {}) {
      for (const [i, datagram] of data.entries()) {
        if (i > 0) await sleep(opts.gapMs ?? 5)
        await send(datagram, port, opts.address)
      }
    },
    replies(mode) {
      return received.filter(
        (r): r is Reply & {header: NonNullable<Reply['header']>} =>
          r.header !== undefined && (mode === undefined || r.mode === mode),
      )
    },
    async waitFor(condition, timeoutMs = 2000, what = 'replies') {
      const deadline = Date.now() + timeoutMs
      while (!condition(received)) {
        if (Date.now() > deadline) {
          const got = received.map((r) => JSON.stringify(r.data.toString('latin1'))).join(', ') || 'nothing'
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received: ${got}`)
        }

        await sleep(10)
      }

      return received
    },
    close() {
      closed ??= new Promise((resolve) => {
        try {
          socket.close(() => resolve())
        } catch {
          resolve()
        }
      })
      return closed
    },
  }
  return sender
}
