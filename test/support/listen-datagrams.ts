// Datagrams and senders that feed `lanmsg listen` in the test/commands/listen-*.test.ts files: IPMsg packets built
// byte by byte (ipmsg-sender.ts), hostile text, and loopback senders, each on its own 127.x address.
import {CMD, ipmsgPacket, NUL, openSender, type Sender} from './ipmsg-sender.js'

/** receivedAt, firstSeen, lastSeen: an ISO time with milliseconds, in UTC. */
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
export const gbk = (hex: string) => Buffer.from(hex, 'hex')
export const FEIQIU_VERSION = '1_lbt6_0#128#C85B76BD9F3F#0#0#0#4001#9'
export const EVIL_NICK = 'red\u001B[31mX\u001B]0;title\u0007\u202Eevil'
export const EVIL_TEXT = 'text \u001B[31mred\u001B[0m \u001B]0;title\u0007 \u202Eevil'
export const JUNK = Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x07, 0x80, 0x41])

export const sendmsg = (
  packetNo: number,
  text: string,
  command: number = CMD.SENDMSG,
  user = 'alice',
  host = 'alice-pc',
  // eslint-disable-next-line max-params -- header fields in the order IPMsg writes them
) => ipmsgPacket({packetNo, user, host, command}, text, NUL)
// eslint-disable-next-line max-params -- header fields in the order IPMsg writes them
export const entry = (packetNo: number, command: number, user: string, nick: string, group = '') =>
  ipmsgPacket({packetNo, user, host: `${user}-pc`, command}, nick, NUL, group, NUL)

/** One loopback sender per address (the same address twice gives two ports). */
export async function senders(addresses: string[]): Promise<Sender[]> {
  return Promise.all(addresses.map((address) => openSender({address})))
}

export async function closeAll(list: Array<Sender | undefined>): Promise<void> {
  await Promise.all(list.map((s) => s?.close()))
}
