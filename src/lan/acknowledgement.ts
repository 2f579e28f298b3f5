// What acknowledges what: which of our packets wait for an answer, and which replies answer them (§3.6, §3.2, §3.9).
import type {Packet} from '../protocol/types.js'
import type {Outgoing} from './our-packets.js'

import {MODES, modeOf, SENDCHECKOPT} from '../protocol/constants.js'

/** Clients that never answer GETINFO or GETABSENCEINFO (ipmsg.md §3.9, §9; peers-on-the-wire.md). */
const NO_INFO_CLIENTS = new Set(['feiqiu', 'iptux'])

/** What a reply must look like to acknowledge a packet of ours with this mode. */
export function acknowledgesMode(sentMode: number, reply: Packet, sentPacketNos: Set<number>): boolean {
  switch (modeOf(reply.command)) {
    case MODES.RECVMSG:
    case MODES.READMSG:
    case MODES.ANSREADMSG: {
      return reply.acknowledges !== undefined && sentPacketNos.has(reply.acknowledges)
    }

    case MODES.ANSENTRY: {
      return sentMode === MODES.BR_ENTRY
    }

    case MODES.SENDINFO: {
      return sentMode === MODES.GETINFO
    }

    case MODES.SENDABSENCEINFO: {
      return sentMode === MODES.GETABSENCEINFO
    }

    case MODES.ANSPUBKEY: {
      return sentMode === MODES.GETPUBKEY
    }

    default: {
      return false
    }
  }
}

/** A unicast that asks for an answer is resent until that answer comes (receipts §3.6, and entry/info probes). */
export function wantsAnswer(outgoing: Outgoing): boolean {
  if (outgoing.kind === 'raw') return false
  const {command} = outgoing.packet
  const mode = modeOf(command)
  if (mode === MODES.SENDMSG) return (command & SENDCHECKOPT) !== 0
  return [MODES.BR_ENTRY, MODES.GETINFO, MODES.GETABSENCEINFO, MODES.GETPUBKEY].includes(mode)
}

/** We asked for info, and this packet names a client that never gives it: waiting for the answer is pointless. */
export function cannotAnswerInfo(sentMode: number, packet: Packet): boolean {
  const asksInfo = sentMode === MODES.GETINFO || sentMode === MODES.GETABSENCEINFO
  return asksInfo && NO_INFO_CLIENTS.has(packet.client.kind)
}
