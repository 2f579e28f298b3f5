// When the default wait of `announce` ends: a pure function of what was heard, so the rule is tested on a fake
// clock. IP Messenger for Windows delays its ANSENTRY at random by 0–1023 ms when it knows fewer than 50 hosts
// (or we are in its /24), 0–2047 ms under 300 hosts, 0–4095 ms above (field notes §1.5; ipmsg.md §3.2).

/** Replies stop this long before the window closes. */
export const QUIET_MS = 1000
/** The longest ANSENTRY delay of each LAN size, with a little room for the way back. */
export const SPREAD_MS = {small: 1100, medium: 2150, large: 4200} as const
/** Windows counts the hosts it knows; as many answer us, so this many peers say the LAN is at least that big. */
export const PEERS_FOR = {medium: 50, large: 300} as const

export interface HeardSoFar {
  /** When the packet that asked for answers was sent. */
  sentAt: number
  /** When the last reply came (undefined: nothing yet). */
  lastReplyAt?: number
  /** Distinct peers that answered. */
  peers: number
}

export interface WindowEnd {
  endsAt: number
  reason: string
}

/**
 * Nothing heard: wait out the longest delay a peer may take (4.2 s). Something heard: stop a second after the
 * last reply, but not before the delay of a LAN of the size the replies show (1.1 s, or 2.15 s from 50 peers,
 * or 4.2 s from 300).
 */
export function replyWindowEnd(heard: HeardSoFar): WindowEnd {
  if (heard.lastReplyAt === undefined) {
    return {endsAt: heard.sentAt + SPREAD_MS.large, reason: 'nobody answered within the longest delay peers take'}
  }

  const size = heard.peers >= PEERS_FOR.large ? 'large' : heard.peers >= PEERS_FOR.medium ? 'medium' : 'small'
  const floor = heard.sentAt + SPREAD_MS[size]
  const quiet = heard.lastReplyAt + QUIET_MS
  return quiet >= floor
    ? {endsAt: quiet, reason: `no reply for ${QUIET_MS / 1000} s`}
    : {endsAt: floor, reason: `the longest delay peers take on a ${size} LAN (${heard.peers} peers)`}
}
