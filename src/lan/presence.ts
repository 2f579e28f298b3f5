// Who is up on the LAN: a table of the peers seen, fed with every decoded packet (§3 of
// ../shared/protocol/ipmsg.md). Pure: the time of each observation is passed in.
import type {ClientInfo, Packet} from '../protocol/types.js'

import {sameClient} from '../protocol/client.js'
import {ABSENCEOPT, isEntryMode, MODES, modeOf} from '../protocol/constants.js'
import type {Endpoint} from '../net/endpoint.js'
import {dottedQuadToNumber, isIPv4Address, ipv4ToInt} from '../net/ipv4.js'
import {BoundedMap} from './bounded-map.js'
import {PeerTable} from './peer-table.js'
import {RecentNames} from './recent-names.js'
import {hasNonAscii, writtenCharset} from './send-charset.js'

export type PeerStatus = 'absent' | 'exited' | 'expired' | 'present'

export interface PeerRow {
  address: string
  port: number
  user: string
  host: string
  nickname: string
  group: string
  client: ClientInfo
  /** Time (ms) of the first and the latest packet from this peer. */
  firstSeen: number
  lastSeen: number
  status: PeerStatus
  /** Packets observed from this peer. */
  packets: number
  /** The charset remembered for the peer's address (see Presence.peerCharset). */
  charset?: string
  /** Option names of the peer's latest BR_ENTRY, ANSENTRY or BR_ABSENCE. */
  options: string[]
}

/** The options of a row before any entry packet: one frozen array, replaced (never changed) by update. */
const NO_OPTIONS = Object.freeze([]) as unknown as string[]

export interface PresenceUpdate {
  row: PeerRow
  /** The status before this packet; undefined when the peer is new. */
  previousStatus: PeerStatus | undefined
}

export interface PresenceOptions {
  /** Most peers kept; beyond it the least recently seen row is dropped. */
  capacity?: number
}

export const DEFAULT_PRESENCE_CAPACITY = 10_000

/**
 * A row as the table keeps it. Under a flood of new sources every datagram fills a row, and whatever young object a
 * row points to is carried into the old generation, to become garbage there when the row is dropped: so the row
 * holds its IPv4 address as a number (the string is made when asked for), names as RecentNames copies and shared
 * options and client objects, nothing of the datagram's own.
 */
class PeerState implements PeerRow {
  /** The IPv4 address as an unsigned number; -1 for any other address, which is then `otherAddress`. */
  ip = -1
  otherAddress = ''
  port = 0
  user = ''
  host = ''
  nickname = ''
  group = ''
  client: ClientInfo
  firstSeen = 0
  lastSeen = 0
  status: PeerStatus = 'present'
  packets = 0
  charset: string | undefined = undefined
  options: string[] = NO_OPTIONS
  // Absence is the user's state and survives exit or expiry: a peer that comes back is absent until it says not.
  absent = false
  /** User and host are ASCII: tested once for the row, not for each packet found by them (writtenCharset). */
  asciiNames = true

  constructor(client: ClientInfo) {
    this.client = client
  }

  get address(): string {
    const {ip} = this
    return ip === -1 ? this.otherAddress : `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`
  }

  /** Whether the row is at this address (`ip`: dottedQuadToNumber of it) and port. */
  isAt(ip: number, address: string, port: number): boolean {
    return this.port === port && this.ip === ip && (ip !== -1 || this.otherAddress === address)
  }
}

/**
 * IPMsg identifies a host by user, host name, IP address and port (Windows keys its host list on all four and
 * answers to the source port, §3.2), so two clients on one machine — even sharing a port — are two rows.
 * Encodings are remembered per IP address, as iptux does (§5).
 */
export function peerKey(address: string, port: number, user = '', host = ''): string {
  const endpoint = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`
  return `${endpoint}\u0000${user}\u0000${host}`
}

/**
 * Whether an entry packet says its user is away. iptux sets ABSENCEOPT on every BR_ENTRY, ANSENTRY and BR_ABSENCE
 * and has no absence mode at all (§9; its Command.cpp), so from iptux the bit means nothing.
 */
function isAbsent(packet: Packet): boolean {
  return (packet.command & ABSENCEOPT) !== 0 && packet.client.kind !== 'iptux'
}

/** A copy of the row without `absent`, its keys in the order of the state's (spreading and deleting cost 3x). */
function snapshot(state: PeerState): PeerRow {
  return {
    address: state.address,
    port: state.port,
    user: state.user,
    host: state.host,
    nickname: state.nickname,
    group: state.group,
    client: {...state.client},
    firstSeen: state.firstSeen,
    lastSeen: state.lastSeen,
    status: state.status,
    packets: state.packets,
    options: [...state.options],
    charset: state.charset,
  }
}

function compareRows(a: PeerRow, b: PeerRow): number {
  const a4 = isIPv4Address(a.address)
  const b4 = isIPv4Address(b.address)
  if (a4 && b4) {
    const diff = ipv4ToInt(a.address) - ipv4ToInt(b.address)
    if (diff !== 0) return diff
  } else if (a4 !== b4) {
    return a4 ? -1 : 1 // IPv4 first
  } else if (a.address !== b.address) {
    return a.address < b.address ? -1 : 1
  }

  return a.port - b.port
}

export class Presence {
  readonly capacity: number
  private readonly charsets: BoundedMap<string, string>
  private readonly peers: PeerTable<PeerState>
  private readonly names = new RecentNames()
  private lastClient: ClientInfo | undefined
  private lastOptions: string[] = NO_OPTIONS

  constructor(options: PresenceOptions = {}) {
    this.capacity = options.capacity ?? DEFAULT_PRESENCE_CAPACITY
    this.peers = new PeerTable(this.capacity)
    this.charsets = new BoundedMap(this.capacity)
  }

  /** Rows dropped because the table was full: the least recently seen go first, so expired rows before live ones. */
  get evictions(): number {
    return this.peers.evictions
  }

  get size(): number {
    return this.peers.size
  }

  /**
   * Marks present/absent peers not seen for more than expireAfterMs as 'expired' (the row stays until capacity
   * needs it) and returns the rows that changed.
   */
  expire(nowMs: number, expireAfterMs: number): PeerRow[] {
    if (!(expireAfterMs >= 0)) throw new RangeError(`Presence.expire: expireAfterMs must be >= 0, got ${expireAfterMs}`)
    const changed: PeerRow[] = []
    for (const state of this.peers.values()) {
      if ((state.status === 'present' || state.status === 'absent') && nowMs - state.lastSeen > expireAfterMs) {
        state.status = 'expired'
        changed.push(snapshot(state))
      }
    }

    return changed.sort(compareRows)
  }

  /** The row of a peer; without user and host, the first row at that address and port. */
  get(address: string, port: number, user?: string, host?: string): PeerRow | undefined {
    if (user !== undefined && host !== undefined) {
      const state = this.peers.peek(address, port, user, host)
      return state && snapshot(state)
    }

    const ip = dottedQuadToNumber(address)
    for (const state of this.peers.values()) {
      if (state.isAt(ip, address, port)) return snapshot(state)
    }

    return undefined
  }

  /**
   * Updates the table with one packet from `from` received at nowMs. `ip`: from.address as dottedQuadToNumber gives
   * it, when the caller has it (the datagram queue does: no parse per datagram).
   */
  observe(packet: Packet, from: Endpoint, nowMs: number, ip = dottedQuadToNumber(from.address)): PresenceUpdate {
    const {previousStatus, state} = this.update(packet, from, nowMs, ip)
    return {row: snapshot(state), previousStatus}
  }

  /**
   * Like observe, for the per-datagram path: the row (a copy) only when the peer is new or its status changed,
   * else undefined — copying every row cost a third of listen's CPU per datagram.
   */
  observeChange(
    packet: Packet,
    from: Endpoint,
    nowMs: number,
    ip = dottedQuadToNumber(from.address),
  ): PeerRow | undefined {
    const {previousStatus, state} = this.update(packet, from, nowMs, ip)
    return previousStatus === state.status ? undefined : snapshot(state)
  }

  /** Like observe, when nobody needs the row: no copy at all (a flood of new sources makes a new row each time). */
  record(packet: Packet, from: Endpoint, nowMs: number, ip = dottedQuadToNumber(from.address)): void {
    this.update(packet, from, nowMs, ip)
  }

  private update(
    packet: Packet,
    from: Endpoint,
    nowMs: number,
    ip: number,
  ): {previousStatus: PeerStatus | undefined; state: PeerState} {
    const mode = modeOf(packet.command)
    // A non-entry packet whose names do not match (another encoding, §5) belongs to the one row at its endpoint.
    let state = this.peers.get(from.address, from.port, packet.user, packet.host, ip)
    const byNames = state !== undefined
    if (!byNames && !isEntryMode(mode)) state = this.peers.onlyRowAt(from.address, from.port, ip)
    const previousStatus = state?.status
    state ??= this.peers.add(from.address, from.port, (reuse) => this.newState(reuse, packet, from, nowMs, ip), ip)
    // The packet's user and host are the row's when it was found or made by them.
    const namesOfRow = byNames || previousStatus === undefined

    state.packets++
    state.lastSeen = Math.max(state.lastSeen, nowMs)
    state.client = this.sharedClient(packet.client)

    switch (mode) {
      // §3.1–3.3: entry, its answer and the absence notice all carry the current names and ABSENCEOPT (the row
      // was found by, or made with, this user and host).
      case MODES.BR_ENTRY:
      case MODES.ANSENTRY:
      case MODES.BR_ABSENCE: {
        state.nickname = this.names.intern(packet.nickname ?? '')
        state.group = this.names.intern(packet.group ?? '')
        state.options = this.sharedOptions(packet.options)
        state.absent = isAbsent(packet)
        state.status = state.absent ? 'absent' : 'present'
        break
      }

      // §3.4: the peer leaves. iptux sends an empty body, so keep the names it had.
      case MODES.BR_EXIT: {
        if (packet.nickname) state.nickname = this.names.intern(packet.nickname)
        if (packet.group) state.group = this.names.intern(packet.group)
        state.status = 'exited'
        break
      }

      // Any other packet proves the peer is up; names stay as its entry gave them (§5: UTF8OPT may change
      // the encoding of user/host from one packet to the next).
      default: {
        state.status = state.absent ? 'absent' : 'present'
      }
    }

    this.remember(from.address, packet, namesOfRow && state.asciiNames)
    state.charset = this.peerCharset(from.address)
    return {previousStatus, state}
  }

  /**
   * The charset this address's last non-ASCII text came in (writtenCharset): the legacy charset for its next
   * packet that is not valid UTF-8 (DecodeOptions.peerCharset), and what it reads (sendCharset). Never the
   * encoding an iptux entry declares: iptux writes `utf-8` there whatever it sends (IXC CreateIptuxExtra).
   */
  peerCharset(address: string): string | undefined {
    // Asked twice a datagram: while no peer has written anything but ASCII (the usual case), skip the lookup.
    return this.charsets.size === 0 ? undefined : this.charsets.peek(address)
  }

  /** Every row, sorted by address (numerically for IPv4) and port. */
  rows(): PeerRow[] {
    return [...this.peers.values()].map((state) => snapshot(state)).sort(compareRows)
  }

  /**
   * A row for a new peer, in the object of the row the full table dropped when there is one: under a flood of new
   * sources every datagram makes a row, and each new one outlived a few young collections only to become garbage in
   * the old generation.
   */
  // eslint-disable-next-line max-params -- ip beside from, as update has it
  private newState(reuse: PeerState | undefined, packet: Packet, from: Endpoint, nowMs: number, ip: number): PeerState {
    const state = reuse ?? new PeerState(packet.client)
    state.ip = ip
    state.otherAddress = state.ip === -1 ? from.address : ''
    state.port = from.port
    state.user = this.names.intern(packet.user)
    state.host = this.names.intern(packet.host)
    state.asciiNames = !hasNonAscii(state.user) && !hasNonAscii(state.host)
    state.nickname = ''
    state.group = ''
    state.client = packet.client
    state.firstSeen = nowMs
    state.lastSeen = nowMs
    state.status = 'present'
    state.packets = 0
    state.options = NO_OPTIONS
    state.charset = undefined
    state.absent = false
    return state
  }

  /**
   * One object for equal clients (rows only ever copy it): each packet brings its own, and the row holding it would
   * keep it alive into the old generation.
   */
  private sharedClient(client: ClientInfo): ClientInfo {
    const last = this.lastClient
    if (last === undefined || !sameClient(client, last)) {
      this.lastClient = {...client}
      if (client.parts) this.lastClient.parts = [...client.parts]
    }

    return this.lastClient!
  }

  /** One array for equal options (rows only ever copy it), like sharedClient. */
  private sharedOptions(options: readonly string[]): string[] {
    const last = this.lastOptions
    if (options.length === last.length && options.every((option, i) => option === last[i])) return last
    this.lastOptions = Object.freeze([...options]) as unknown as string[]
    return this.lastOptions
  }

  private remember(address: string, packet: Packet, asciiNames: boolean): void {
    const written = writtenCharset(packet, asciiNames)
    if (written !== undefined) this.charsets.set(address, written)
  }
}
