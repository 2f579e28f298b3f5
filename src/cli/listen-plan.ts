// What `listen` will do, decided from its flags before the socket opens: which datagrams it shows, and with
// --respond who it is and where its BR_ENTRY and BR_EXIT go. A mistake in any of them is a usage error before
// anything is bound.
import type {ListenOptions} from '../lan/listen-session.js'

import {UsageError} from '../net/usage-error.js'
import {buildDatagramFilter} from './datagram-filter.js'
import {resolveTargets} from './resolve-targets.js'
import {type IdentityFlags, responderSelf} from './responder-identity.js'

/** The flags of `listen` that decide the session, under their own names. */
export interface ListenFlags extends IdentityFlags {
  /** More than one only with --read (a live listen binds one port). */
  port: number | number[]
  address: string
  expire?: number
  encoding?: string
  from?: string[]
  mode?: string[]
  'ipmsg-only'?: boolean
  to?: string[]
  interface?: string[]
  'group-chat'?: boolean
  'serve-list'?: boolean
}

export async function planListen(
  flags: ListenFlags,
  context: {version: string; warn: (message: string) => void},
): Promise<ListenOptions> {
  // Linux hands a multicast datagram only to sockets bound to the wildcard address (or the group itself).
  if (flags['group-chat'] && flags.address !== '0.0.0.0') {
    throw new UsageError(
      `--group-chat needs --address 0.0.0.0 (got ${flags.address}): multicast is not delivered to it`,
    )
  }

  const port = livePort(flags.port)
  const filter = buildDatagramFilter({from: flags.from, mode: flags.mode, ipmsgOnly: flags['ipmsg-only']})
  const self = responderSelf(flags, context.version)
  const targets = self
    ? await resolveTargets({to: flags.to, interfaces: flags.interface, port, warn: context.warn})
    : []
  return {
    port,
    address: flags.address,
    decodeOptions: flags.encoding === undefined ? {} : {legacyCharset: flags.encoding},
    expireMs: flags.expire,
    groupChat: flags['group-chat'],
    filter,
    respond: self ? {self, targets, charset: flags.encoding, serveList: flags['serve-list']} : undefined,
  }
}

/** The one port a live listen binds. */
function livePort(port: number | number[]): number {
  if (!Array.isArray(port)) return port
  if (port.length > 1)
    throw new UsageError('--port more than once needs --read: a live listen binds one port (use one lanmsg per port)')
  return port[0]
}
