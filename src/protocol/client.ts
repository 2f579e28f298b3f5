// Which client sent a packet, from its version field (§1.3, §6.1, §9).
import type {ClientInfo} from './types.js'

// §1.3: Windows atoi()s the version and drops the packet unless it is exactly 1 (whitespace, '+', zeros allowed).
const ATOI_ONE = /^[\t\n\v\f\r ]*\+?0*1(?!\d)/

/** True when the version field's leading decimal integer (C atoi semantics) is exactly 1. */
export function isIpmsgVersion(version: string): boolean {
  return ATOI_ONE.test(version)
}

function feiqiu(version: string): ClientInfo {
  const parts = version.split('#')
  // §6.1 part 0: `1_lbt<gen>_<avatar>`.
  const head = /^1_(lbt\d*)(?:_(\d+))?/.exec(parts[0])
  const info: ClientInfo = {kind: 'feiqiu', name: 'Feiqiu', parts}
  if (head) {
    info.generation = head[1]
    if (head[2] !== undefined) info.avatar = Number(head[2])
  }

  if (parts.length > 2) info.mac = parts[2]
  return info
}

export function identifyClient(version: string): ClientInfo {
  if (version === '1') return {kind: 'ipmsg', name: 'IP Messenger'}
  if (version.startsWith('1_lbt')) return feiqiu(version)
  // §1.3: iptux ≥ 0.7.6 sends `1_iptux <ver>`; 0.4–0.6 sent Feiqiu-like `1_iptux_0#5#2` (§6.5).
  if (version.startsWith('1_iptux')) {
    const spaced = /^1_iptux (\S+)/.exec(version)
    return spaced ? {kind: 'iptux', name: 'iptux', version: spaced[1]} : {kind: 'iptux', name: 'iptux'}
  }

  return {kind: 'unknown', name: 'unknown'}
}

/** True when two ClientInfo have the same fields (identifyClient writes the fields of one kind in one order). */
export function sameClient(a: ClientInfo, b: ClientInfo): boolean {
  if (a === b) return true
  if (
    a.kind !== b.kind ||
    a.name !== b.name ||
    a.version !== b.version ||
    a.generation !== b.generation ||
    a.avatar !== b.avatar ||
    a.mac !== b.mac
  )
    return false
  const x = a.parts
  const y = b.parts
  if (x === y) return true
  if (x === undefined || y === undefined || x.length !== y.length) return false
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}
