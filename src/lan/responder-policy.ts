// What a polite IPMsg peer answers, and when it must stay silent: a pure function of the packet, its source
// and the time. Section numbers (§) refer to ../shared/protocol/ipmsg.md.
import type {ListedHostInput, OutgoingPacket, Packet} from '../protocol/types.js'

import {
  ABSENCEOPT,
  AUTORETOPT,
  BROADCASTOPT,
  CAPUTF8OPT,
  MODES,
  modeOf,
  SENDCHECKOPT,
  UTF8OPT,
} from '../protocol/constants.js'
import {hostListPage} from '../protocol/host-list-page.js'
import type {Endpoint} from '../net/endpoint.js'
import {parseIPv4} from '../net/ipv4.js'
import {BoundedMap} from './bounded-map.js'
import {RateLimiter} from './rate-limit.js'
import {peerInputs, sendCharset} from './send-charset.js'

export interface ResponderSelf {
  user: string
  host: string
  nickname: string
  group: string
  absent?: boolean
  absenceText?: string
  /** lanmsg's version, sent in SENDINFO as `lanmsg <version>`. */
  version?: string
}

export interface PlannedReply {
  to: Endpoint
  /** Wait this long before sending (the ANSENTRY spread of §3.2). */
  delayMs: number
  /** Packet numbers and the version field are filled in by the sender. */
  packet: Omit<OutgoingPacket, 'packetNo' | 'version'>
  /** The charset to encode the packet in (sendCharset): UTF8OPT is set only when it is UTF-8. */
  charset: string
  reason: string
}

export interface ResponderStats {
  answered: number
  suppressedSelf: number
  suppressedInvalidSource: number
  suppressedRateLimit: number
  suppressedDuplicateEntry: number
}

export interface ResponderPolicyOptions {
  self: ResponderSelf
  /** This host's addresses; a function is called on every decision, so interfaces may change. */
  ownAddresses: (() => string[]) | string[]
  ownPort: number
  limiter: RateLimiter
  /** Uniform in [0, 1), like Math.random. */
  random: () => number
  /** At most one ANSENTRY per source address in this time, unless it sent BR_EXIT since; default 2000 ms. */
  entryReplyIntervalMs?: number
  /** True for the directed broadcast addresses of our networks, which are never a real source. */
  isBroadcast?: (address: string) => boolean
  /** Source addresses whose last ANSENTRY time is remembered; default 4096. */
  maxEntrySources?: number
  /** The charset of every reply (--encoding); default: chosen per peer by sendCharset. */
  charset?: string
  /** The charset an address was last seen writing in (Presence.peerCharset). */
  peerCharset?: (address: string) => string | undefined
  /**
   * --serve-list: the host list to answer GETLIST with (ourselves first, as Windows does); BR_ISGETLIST(2) is
   * answered OKGETLIST only when it is set. Called once per GETLIST that passes every guard.
   */
  hostList?: () => readonly ListedHostInput[]
}

export const DEFAULT_ENTRY_REPLY_INTERVAL_MS = 2000
/** Windows spreads its ANSENTRY over 0–1023 ms on a small LAN (§3.2). */
export const ENTRY_REPLY_MAX_DELAY_MS = 1023
export const NOT_ABSENT_TEXT = 'Not Absence mode'

/** Strips the IPv4-mapped IPv6 prefix a dual-stack socket reports. */
function plainAddress(address: string): string {
  return /^::ffff:/i.test(address) ? address.slice(7) : address
}

/**
 * A source we can answer: a dotted-quad IPv4 unicast address (lanmsg speaks IPv4 only, §7) and a real port.
 * 0.0.0.0/8 is "this network", 224.0.0.0/4 multicast, 240.0.0.0/4 reserved (with 255.255.255.255): a datagram
 * claiming such a source is forged, and answering it would spray the LAN (§8.2).
 */
function isAnswerableSource(from: Endpoint, isBroadcast: (address: string) => boolean): boolean {
  if (!Number.isInteger(from.port) || from.port < 1 || from.port > 65_535) return false
  const address = plainAddress(from.address)
  const octets = parseIPv4(address)
  if (octets === undefined) return false
  if (octets[0] === 0 || octets[0] >= 224) return false
  // 169.254.0.0/24 and 169.254.255.0/24 (with the link-local broadcast) are never a host's address (RFC 3927 §2.1).
  if (octets[0] === 169 && octets[1] === 254 && (octets[2] === 0 || octets[2] === 255)) return false
  // Another subnet's broadcast (10.99.0.255) cannot be told from a host there; one reply to it stops at its router,
  // which does not forward directed broadcasts (RFC 2644), so it is answered like any unicast, within the limits.
  return !isBroadcast(address) && !isBroadcast(from.address)
}

type Intent = Omit<PlannedReply, 'charset' | 'to'> & {entry?: true; listStart?: number}

export class ResponderPolicy {
  readonly stats: ResponderStats = {
    answered: 0,
    suppressedSelf: 0,
    suppressedInvalidSource: 0,
    suppressedRateLimit: 0,
    suppressedDuplicateEntry: 0,
  }
  private readonly entryReplyIntervalMs: number
  private readonly isBroadcast: (address: string) => boolean
  private readonly lastEntryReply: BoundedMap<string, number>
  private readonly limiter: RateLimiter
  private readonly ownAddresses: () => string[]
  private readonly ownPort: number
  private readonly peerCharset: (address: string) => string | undefined
  private readonly random: () => number
  private readonly requestedCharset: string | undefined
  private readonly me: ResponderSelf
  private readonly hostList: (() => readonly ListedHostInput[]) | undefined

  constructor(options: ResponderPolicyOptions) {
    this.me = {...options.self}
    const own = options.ownAddresses
    this.ownAddresses = typeof own === 'function' ? own : () => own
    this.ownPort = options.ownPort
    this.limiter = options.limiter
    this.random = options.random
    this.entryReplyIntervalMs = options.entryReplyIntervalMs ?? DEFAULT_ENTRY_REPLY_INTERVAL_MS
    this.isBroadcast = options.isBroadcast ?? (() => false)
    this.lastEntryReply = new BoundedMap(options.maxEntrySources ?? 4096)
    this.requestedCharset = options.charset
    this.peerCharset = options.peerCharset ?? (() => undefined)
    this.hostList = options.hostList
  }

  /** The replies this packet calls for, already filtered by every guard; empty when none is due. */
  decide(packet: Packet, from: Endpoint, nowMs: number): PlannedReply[] {
    // A host that said goodbye and enters again is a new session (back-to-back `announce` runs), not a repeat.
    if (modeOf(packet.command) === MODES.BR_EXIT) this.lastEntryReply.delete(plainAddress(from.address))
    const intent = this.intent(packet)
    if (intent === undefined) return []

    if (this.isOwn(packet, from)) {
      this.stats.suppressedSelf++
      return []
    }

    if (!isAnswerableSource(from, this.isBroadcast)) {
      this.stats.suppressedInvalidSource++
      return []
    }

    // §8.2: one spoofed BR_ENTRY must not turn into a stream of ANSENTRY at its forged source (until it exits).
    const source = plainAddress(from.address)
    if (intent.entry) {
      const last = this.lastEntryReply.peek(source)
      if (last !== undefined && nowMs - last < this.entryReplyIntervalMs) {
        this.stats.suppressedDuplicateEntry++
        return []
      }
    }

    if (!this.limiter.allow(source, nowMs)) {
      this.stats.suppressedRateLimit++
      return []
    }

    if (intent.entry) this.lastEntryReply.set(source, nowMs)
    this.stats.answered++
    // §5: in the charset this peer reads, entry fields included; UTF8OPT only on what really is UTF-8.
    const charset = sendCharset({requested: this.requestedCharset, ...peerInputs(packet, this.peerCharset(source))})
    const command = charset === 'utf-8' ? intent.packet.command : (intent.packet.command & ~UTF8OPT) >>> 0
    const reply = {...intent.packet, command}
    // An answer in a legacy charset is legacy throughout, like Windows' own ANSENTRY (§1.4): Feiqiu and iptux
    // convert the whole section from GBK, and UTF-8 extension bytes among GBK ones make that fail (CF RecvAnsEntry).
    if (charset !== 'utf-8' && intent.entry) reply.utf8Extension = false
    // The page is cut for the charset it is written in: a legacy charset's UTF-8 limit differs (§5).
    if (intent.listStart !== undefined) {
      const page = hostListPage(reply, this.hostList?.() ?? [], intent.listStart, {charset})
      reply.hostList = {next: page.next, hosts: page.hosts}
    }

    return [
      {
        to: {address: from.address, port: from.port},
        delayMs: intent.delayMs,
        packet: reply,
        charset,
        reason: intent.reason,
      },
    ]
  }

  private entryDelay(): number {
    const r = this.random()
    if (!Number.isFinite(r)) return 0
    return Math.min(ENTRY_REPLY_MAX_DELAY_MS, Math.max(0, Math.floor(r * (ENTRY_REPLY_MAX_DELAY_MS + 1))))
  }

  private intent(packet: Packet): Intent | undefined {
    const {command} = packet
    const {me} = this
    const base = {user: me.user, host: me.host}
    // A peer that asks with UTF8OPT or announces CAPUTF8OPT reads UTF-8 (§5); Windows answers it so (§3.2).
    const utf8 = command & (UTF8OPT | CAPUTF8OPT) ? UTF8OPT : 0

    switch (modeOf(command)) {
      // §3.2: unicast ANSENTRY with our names, UTF8OPT only towards a BR_ENTRY that had CAPUTF8OPT.
      case MODES.BR_ENTRY: {
        return {
          entry: true,
          delayMs: this.entryDelay(),
          packet: {
            ...base,
            command: MODES.ANSENTRY | CAPUTF8OPT | (me.absent ? ABSENCEOPT : 0) | (command & CAPUTF8OPT ? UTF8OPT : 0),
            nickname: me.nickname,
            group: me.group,
          },
          reason: 'ANSENTRY for BR_ENTRY (§3.2)',
        }
      }

      // §3.6, §3.7: receipt only when asked, never for broadcast or automatic messages; duplicates are
      // re-acked so that a lost receipt is repaired by the sender's retry. Exactly 0x21 like Windows.
      case MODES.SENDMSG: {
        if (!(command & SENDCHECKOPT) || command & (BROADCASTOPT | AUTORETOPT)) return undefined
        return {
          delayMs: 0,
          packet: {...base, command: MODES.RECVMSG, acknowledges: packet.packetNo},
          reason: `RECVMSG for SENDMSG ${packet.packetNo} (§3.6)`,
        }
      }

      // §3.9
      case MODES.GETINFO: {
        return {
          delayMs: 0,
          packet: {...base, command: MODES.SENDINFO | utf8, text: me.version ? `lanmsg ${me.version}` : 'lanmsg'},
          reason: 'SENDINFO for GETINFO (§3.9)',
        }
      }

      case MODES.GETABSENCEINFO: {
        return {
          delayMs: 0,
          packet: {
            ...base,
            command: MODES.SENDABSENCEINFO | utf8,
            text: me.absent ? (me.absenceText ?? '') : NOT_ABSENT_TEXT,
          },
          reason: 'SENDABSENCEINFO for GETABSENCEINFO (§3.9)',
        }
      }

      case MODES.BR_ISGETLIST:
      case MODES.BR_ISGETLIST2:
      case MODES.GETLIST: {
        return this.hostList ? this.listIntent(packet, base, utf8) : undefined
      }

      // §3.2–3.4: BR_ABSENCE, BR_EXIT and ANSENTRY are not answered; nor is anything unknown (§8.2).
      default: {
        return undefined
      }
    }
  }

  /** §3.10, with --serve-list: OKGETLIST (no options, no body, as Windows) or one page from the index asked for. */
  private listIntent(packet: Packet, base: {host: string; user: string}, utf8: number): Intent {
    if (modeOf(packet.command) !== MODES.GETLIST) {
      return {delayMs: 0, packet: {...base, command: MODES.OKGETLIST}, reason: 'OKGETLIST for BR_ISGETLIST (§3.10)'}
    }

    // A body that is not an index asks for the start, as Windows' atoi reads it.
    const listStart = packet.listStart ?? 0
    return {
      listStart,
      delayMs: 0,
      packet: {...base, command: MODES.ANSLIST | utf8},
      reason: `ANSLIST from #${listStart} for GETLIST (§3.10)`,
    }
  }

  /**
   * Our own packets come back to us through broadcast (§10 item 4): same address and port, or our user and
   * host from one of our addresses (another socket of ours, or a second lanmsg on this machine).
   */
  private isOwn(packet: Packet, from: Endpoint): boolean {
    const source = plainAddress(from.address)
    if (!this.ownAddresses().some((own) => plainAddress(own) === source)) return false
    return from.port === this.ownPort || (packet.user === this.me.user && packet.host === this.me.host)
  }
}
