// The filters of `listen`: --from ADDR|CIDR, --mode NAME, --ipmsg-only.
import type {ReceivedDatagram} from '../lan/received-datagram.js'

import {ipv4ToInt, isIPv4Address, parseCidr} from '../net/ipv4.js'
import {UsageError} from '../net/usage-error.js'
import {modeOf, parseMode} from '../protocol/constants.js'

export interface FilterFlags {
  from?: string[]
  mode?: string[]
  ipmsgOnly?: boolean
}

export function buildDatagramFilter(flags: FilterFlags): ((d: ReceivedDatagram) => boolean) | undefined {
  const ranges = (flags.from ?? []).map((spec) => {
    const value = spec.includes('/') ? spec : `${spec}/32`
    const cidr = parseCidr(value)
    if (!cidr) throw new UsageError(`--from ${spec}: not an IPv4 address or CIDR (e.g. 192.168.1.20 or 192.168.1.0/24)`)
    const mask = cidr.prefix === 0 ? 0 : (0xffffffff << (32 - cidr.prefix)) >>> 0
    return {mask, network: (ipv4ToInt(cidr.address) & mask) >>> 0}
  })
  const modes = (flags.mode ?? []).map((name) => {
    const mode = parseMode(name)
    if (mode === undefined)
      throw new UsageError(
        `--mode ${name}: unknown command; use a name such as SENDMSG, BR_ENTRY, ANSENTRY, RECVMSG, or a number 0-255`,
      )
    return mode
  })
  if (ranges.length === 0 && modes.length === 0 && !flags.ipmsgOnly) return undefined

  return ({from, result}) => {
    if (ranges.length > 0) {
      if (!isIPv4Address(from.address)) return false
      const address = ipv4ToInt(from.address)
      if (!ranges.some((r) => (address & r.mask) >>> 0 === r.network)) return false
    }

    if ((flags.ipmsgOnly || modes.length > 0) && !result.ok) return false
    if (modes.length > 0 && result.ok && !modes.includes(modeOf(result.packet.command))) return false
    return true
  }
}
