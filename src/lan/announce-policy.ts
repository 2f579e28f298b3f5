// The protocol's decisions around the packet announce was asked to send: whether it is a discovery, the entry
// before it and the exit after it (a client enters before it talks, §3.2), what to do beside another IPMsg client
// on this host, and in which charset replies are read. Pure: the look at this host's port is passed in.
import type {DecodeOptions, OutgoingPacket} from '../protocol/types.js'
import type {Outgoing} from './our-packets.js'

import {NetError} from '../net/net-error.js'
import {MODES, modeOf, OPTION_MASK} from '../protocol/constants.js'

type Unnumbered = Omit<OutgoingPacket, 'packetNo'>

export interface AnnounceAsk {
  outgoing: Outgoing
  /** The command was chosen (--command): the packet is sent as it is, never taken for a discovery. */
  commandChosen: boolean
  /** This host's BR_ENTRY (nickname, group), the entry before a message; built only when one is sent. */
  identity: () => Unnumbered
  /** The destination port, and the local port lanmsg binds (it speaks as this host's client only on the same). */
  port: number
  bindPort: number
  /** No BR_EXIT after the entry. */
  stay: boolean
  /** Replies that are neither marked UTF-8 nor valid UTF-8 are read in this charset (utf-8: the default). */
  encoding?: string
  /** Who else (an IPMsg client) holds `port` on this host, said for a person; asked only when it matters. */
  otherClient: (port: number) => string | undefined
}

export interface AnnouncePolicy {
  /** No TEXT, no --command, no raw bytes: a presence announcement that lists who answers. */
  discovery: boolean
  entry?: Unnumbered
  farewell?: Unnumbered
  /** The line to say once bound when another client holds the IPMsg port here (no entry or exit is sent). */
  shared?: string
  decodeOptions: DecodeOptions
}

/** Commands a peer answers from its user list: one that never saw our entry shows "mysterious" (iptux may drop it). */
const ASKS_AS_A_CLIENT = new Set<number>([MODES.GETINFO, MODES.GETABSENCEINFO])

/** BR_EXIT with the same status options as the BR_ENTRY it follows. */
export function farewellCommand(entryCommand: number): number {
  return (MODES.BR_EXIT | (entryCommand & OPTION_MASK)) >>> 0
}

/** Throws NetError ESHAREDPORT (exit 3) for a discovery beside another client on this host's IPMsg port. */
export function announcePolicy(ask: AnnounceAsk): AnnouncePolicy {
  const {outgoing} = ask
  const packet = outgoing.kind === 'packet' ? outgoing.packet : undefined
  const discovery = packet !== undefined && packet.text === undefined && !ask.commandChosen
  const talks = packet !== undefined && (packet.text !== undefined || ASKS_AS_A_CLIENT.has(modeOf(packet.command)))
  // With --bind-port elsewhere lanmsg does not speak as this host's client: nobody's name is at stake.
  const holder = (discovery || talks) && ask.bindPort === ask.port ? ask.otherClient(ask.port) : undefined
  if (holder !== undefined && discovery) throw sharedPortRefusal(holder, ask.port)
  const shared = holder === undefined ? undefined : sharedPortNote(holder, ask.port)
  const entry = talks && !shared ? ask.identity() : undefined
  const left = entry ?? (discovery ? packet : undefined)
  const farewell = left && !ask.stay && !shared ? {...left, command: farewellCommand(left.command)} : undefined
  return {discovery, entry, farewell, shared, decodeOptions: replyDecodeOptions(ask.encoding)}
}

/** Replies neither marked UTF-8 nor valid UTF-8 are read in --encoding when it names a legacy charset. */
function replyDecodeOptions(encoding: string | undefined): DecodeOptions {
  return encoding === undefined || encoding === 'utf-8' ? {} : {legacyCharset: encoding}
}

// Peers key their lists by IP address: lanmsg's entry would replace that client's name in every list, and its exit
// would remove the client's user from them.
function sharedPortRefusal(holder: string, port: number): NetError {
  return new NetError(
    `${holder} holds UDP port ${port} on this host: a discovery would enter lanmsg under this host's address and replace that client's name in every peer's list; watch peers with \`lanmsg listen\`, or send the entry anyway (no exit follows it) with --command BR_ENTRY`,
    'ESHAREDPORT', // exit 3, as for a port in use
  )
}

function sharedPortNote(holder: string, port: number): string {
  return `${holder} also holds UDP port ${port} on this host: lanmsg sends no entry or exit packet under its own name beside it (peers keep showing that client's user for this address)`
}
