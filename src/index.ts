// The library entry: the codec and the LAN conversations, for people who script in Node.
//   import {decode, encode, Announcer, ListenSession} from 'lanmsg'
export * from './protocol/index.js'

export {type AnnounceOptions, type AnnounceResult, Announcer, type Outgoing} from './lan/announce.js'
export {type ListenOptions, ListenSession, type ListenStats, type SentReply} from './lan/listen-session.js'
export {PacketNumberSource} from './lan/packet-number-store.js'
export {type PeerRow, type PeerStatus, Presence} from './lan/presence.js'
export {DEFAULT_REPLY_LIMITS, RateLimiter, type RateLimits} from './lan/rate-limit.js'
export type {ReceivedDatagram} from './lan/received-datagram.js'
export {type Reply as ResponderReply, ResponderPolicy, type ResponderSelf} from './lan/responder-policy.js'
export {broadcastTargets, parseTargetSpec, type Target} from './net/targets.js'
export {NetError} from './net/net-error.js'
export {type DatagramRecord, toDatagramRecord} from './ui/datagram-record.js'
