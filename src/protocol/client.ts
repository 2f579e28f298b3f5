// Which client sent a packet, from its version field (§1.3, §6.1, §9).
import type {ClientInfo} from './types.js'

// §1.3: Windows atoi()s the version and drops the packet unless it is exactly 1 (whitespace, '+', zeros allowed).
const ATOI_ONE = /^[\t\n\v\f\r ]*\+?0*1(?!\d)/

/** True when the version field's leading decimal integer (C atoi semantics) is exactly 1. */
export function isIpmsgVersion(version: string): boolean {
  return ATOI_ONE.test(version)
}

// Field notes §2.1: Feige (飞鸽传书) 5.1 writes its own version, `5.1.180210`, in the version field; Windows drops it.
const FEIGE_VERSION = /^5\.1\.\d{1,12}$/

/** A version field lanmsg decodes: IPMsg's (atoi = 1), or a known dialect with the classic header (Feige 5.1). */
export function isKnownVersion(version: string): boolean {
  return ATOI_ONE.test(version) || FEIGE_VERSION.test(version)
}

// Field notes §1.5: the type word of `VS:%08X:%d:%d:%d` (src/ipmsg.h).
const PLATFORMS: Readonly<Record<string, string>> = {
  '00010001': 'Win32',
  '00010002': 'Win64',
  '00020000': 'Mac',
  '00030000': 'iOS',
  '00040000': 'Android',
}

/** `4.99r3` from major 4, minor 99, rev 103: Windows counts rev as alpha N, beta 50+N, release 100+N (version.cpp). */
function windowsVersion(major: string, minor: string, rev: number): string {
  if (rev >= 100) return `${major}.${minor}r${rev - 100}`
  if (rev >= 50) return `${major}.${minor}b${rev - 50}`
  return `${major}.${minor}a${rev}`
}

/**
 * An IP Messenger client with the platform and version of an entry packet's `VS:type:major:minor:rev` line
 * (field notes §1.5); the client unchanged when it is no plain IPMsg client or the line does not read.
 */
export function withVsLine(client: ClientInfo, vs: string): ClientInfo {
  if (client.kind !== 'ipmsg') return client
  if (vs !== lastVs) {
    lastVs = vs
    lastVsRead = readVsLine(vs)
  }

  if (lastVsRead === undefined) return client
  // Written out, not spread: an object spread costs microseconds here, on every Windows entry packet.
  return {kind: client.kind, name: client.name, version: lastVsRead.version, platform: lastVsRead.platform}
}

// The last `VS:` value read and what it gave: a LAN's Windows clients send a few values over and over.
let lastVs: string | undefined
let lastVsRead: undefined | {platform: string; version: string}

function readVsLine(vs: string): undefined | {platform: string; version: string} {
  const fields = /^([\da-f]{8}):(\d{1,4}):(\d{1,4}):(\d{1,4})$/i.exec(vs)
  if (!fields) return undefined
  const [, type, major, minor, rev] = fields
  const platform = PLATFORMS[type.toUpperCase()] ?? `0x${type.toUpperCase()}`
  return {version: windowsVersion(major, minor, Number(rev)), platform}
}

// The last Feiqiu version field read and what it gave: each Feiqiu peer sends its own over and over.
let lastFeiqiu = ''
let lastFeiqiuInfo: ClientInfo | undefined

/** A fresh copy of what readFeiqiu gave (fields in its order), for the same version field. */
function feiqiu(version: string): ClientInfo {
  if (version !== lastFeiqiu || lastFeiqiuInfo === undefined) {
    lastFeiqiuInfo = readFeiqiu(version)
    lastFeiqiu = version
  }

  const {generation, avatar, mac, parts} = lastFeiqiuInfo
  const info: ClientInfo = {kind: 'feiqiu', name: 'Feiqiu', parts: [...parts!]}
  if (generation !== undefined) info.generation = generation
  if (avatar !== undefined) info.avatar = avatar
  if (mac !== undefined) info.mac = mac
  return info
}

function readFeiqiu(version: string): ClientInfo {
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

  // Field notes §2.1: Feige 5.1 (`5.1.180210`, and a second BR_ENTRY as `1.feige.1`); 内网通 (`1@shiyeline`).
  if (FEIGE_VERSION.test(version)) return {kind: 'feige', name: 'Feige', version}
  if (version.startsWith('1.feige')) return {kind: 'feige', name: 'Feige'}
  if (version.startsWith('1@shiyeline')) return {kind: 'shiyeline', name: '内网通'}
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
    a.mac !== b.mac ||
    a.platform !== b.platform
  )
    return false
  const x = a.parts
  const y = b.parts
  if (x === y) return true
  if (x === undefined || y === undefined || x.length !== y.length) return false
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}
