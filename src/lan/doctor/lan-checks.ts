// Checks of the LAN around this host: our broadcast heard back, who answers a broadcast entry, and whether the
// answers to a broadcast arrive at all (compared with unicast probes of the same hosts). Pure.
import {check, type Check} from './check.js'

const HOST = 'this host'
const LAN = 'LAN'

const list = (addresses: Iterable<string>, max = 4) => {
  const all = [...addresses]
  return all.length > max ? `${all.slice(0, max).join(', ')} and ${all.length - max} more` : all.join(', ')
}

export function echoCheck(echoes: number, broadcasts: string[]): Check {
  const title = 'Our broadcast heard back'
  if (broadcasts.length === 0)
    return check('echo', HOST, title, 'unknown', 'nothing was broadcast (no broadcast address)')
  if (echoes > 0)
    return check('echo', HOST, title, 'ok', `the entry sent to ${list(broadcasts)} came back to our own socket`)
  return check(
    'echo',
    HOST,
    title,
    'fail',
    `the entry sent to ${list(broadcasts)} never came back to our own socket, as a broadcast does on a working interface`,
    'a firewall on this host drops incoming broadcasts (allow UDP 2425 in), or the interface does not deliver them',
  )
}

export function broadcastCheck(peers: string[], broadcasts: string[]): Check {
  const title = 'Answers to a broadcast entry'
  if (broadcasts.length === 0) return check('broadcast', LAN, title, 'unknown', 'nothing was broadcast')
  if (peers.length === 0)
    return check(
      'broadcast',
      LAN,
      title,
      'unknown',
      `nobody answered the entry sent to ${list(broadcasts)}: no client on this LAN, or their answers are dropped`,
    )
  return check('broadcast', LAN, title, 'ok', `${peers.length} answered: ${list(peers)}`)
}

/**
 * A stateful firewall here lets the answers of a unicast conversation in and drops those to a broadcast (they come
 * from addresses we never sent to): hosts that answer a unicast probe but not the broadcast show it.
 */
export function broadcastRepliesCheck(broadcastPeers: string[], unicastPeers: string[], probed: string[]): Check {
  const title = 'Answers to a broadcast arrive'
  if (probed.length === 0)
    return check(
      'broadcast-replies',
      LAN,
      title,
      'unknown',
      'no unicast probe to compare with: the local subnets are larger than /22 and no TARGET was given',
      'name a peer: lanmsg doctor ADDRESS',
    )
  const heard = new Set(broadcastPeers)
  const missing = unicastPeers.filter((address) => !heard.has(address))
  if (missing.length > 0)
    return check(
      'broadcast-replies',
      LAN,
      title,
      'fail',
      `${missing.length} of ${unicastPeers.length} peers answered a unicast probe but not the broadcast: ${list(missing)}`,
      'a stateful firewall on this host drops answers to broadcasts: allow incoming UDP 2425 (nft: udp dport 2425 accept)',
    )
  if (unicastPeers.length === 0)
    return check(
      'broadcast-replies',
      LAN,
      title,
      'unknown',
      `no peer answered a unicast probe of ${list(probed)} either: nothing to compare`,
    )
  return check(
    'broadcast-replies',
    LAN,
    title,
    'ok',
    `every peer that answered a unicast probe of ${list(probed)} (${unicastPeers.length}) also answered the broadcast`,
  )
}
