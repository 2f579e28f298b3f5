// Which other sockets on this host are bound to a UDP port (Linux: /proc/net/udp and udp6). A real IPMsg client
// holding 2425 here shares our IP address, and peers key their lists by IP: lanmsg must not enter or leave under
// its own name beside it, and the kernel hands a unicast to one socket only.
import {readdirSync, readFileSync, readlinkSync} from 'node:fs'

export interface PortHolder {
  /** Local address of the socket (0.0.0.0, an interface address, ::). */
  address: string
  port: number
  inode: number
  /** The owning process, when this user may see it. */
  pid?: number
  program?: string
}

function ipv4FromProc(hex: string): string {
  // /proc prints the address as the host-order 32-bit number: little-endian on the machines Node runs on.
  const n = Number.parseInt(hex, 16)
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.')
}

function ipv6FromProc(hex: string): string {
  if (/^0+$/.test(hex)) return '::'
  const words: string[] = []
  for (let i = 0; i < 32; i += 8) {
    const word = hex.slice(i, i + 8)
    const bytes = [word.slice(6, 8), word.slice(4, 6), word.slice(2, 4), word.slice(0, 2)].join('')
    words.push(bytes.slice(0, 4), bytes.slice(4, 8))
  }

  return words.map((w) => Number.parseInt(w, 16).toString(16)).join(':')
}

/** The sockets of one /proc/net/udp{,6} table that are bound to `port`. */
export function parseProcNetUdp(text: string, port: number): PortHolder[] {
  const holders: PortHolder[] = []
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 10) continue
    const [addressHex, portHex] = fields[1].split(':')
    if (Number.parseInt(portHex, 16) !== port) continue
    const address = addressHex.length === 8 ? ipv4FromProc(addressHex) : ipv6FromProc(addressHex)
    holders.push({address, port, inode: Number(fields[9])})
  }

  return holders
}

function socketInodes(pid: number | 'self'): Set<number> {
  const inodes = new Set<number>()
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
        if (match) inodes.add(Number(match[1]))
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // not ours to see
  }

  return inodes
}

/** Names the process of each holder where /proc lets this user see it (root sees all). */
function nameOwners(holders: PortHolder[]): void {
  const wanted = new Map(holders.map((h) => [h.inode, h]))
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return
  }

  for (const pid of pids) {
    if (wanted.size === 0) return
    for (const inode of socketInodes(Number(pid))) {
      const holder = wanted.get(inode)
      if (holder === undefined) continue
      holder.pid = Number(pid)
      try {
        holder.program = readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
      } catch {
        // exited meanwhile
      }

      wanted.delete(inode)
    }
  }
}

/**
 * Sockets of other processes (or other sockets of this one) bound to UDP `port` on this host, in this network
 * namespace; undefined where the system does not say (no /proc/net/udp: not Linux).
 */
export function otherUdpSockets(port: number, address = '0.0.0.0'): PortHolder[] | undefined {
  let tables: string[]
  try {
    tables = [readFileSync('/proc/net/udp', 'utf8')]
  } catch {
    return undefined
  }

  try {
    tables.push(readFileSync('/proc/net/udp6', 'utf8'))
  } catch {
    // no IPv6
  }

  const exclude = socketInodes('self')
  const holders = tables
    .flatMap((text) => parseProcNetUdp(text, port))
    .filter((h) => !exclude.has(h.inode) && sameAddresses(h.address, address))
  if (holders.length > 0) nameOwners(holders)
  return holders
}

/** Whether sockets bound to these two local addresses receive datagrams for the same address (a wildcard: all). */
export function sameAddresses(a: string, b: string): boolean {
  const wildcard = (x: string) => x === '0.0.0.0' || x === '::'
  return wildcard(a) || wildcard(b) || a === b || a === `::ffff:${b}` || b === `::ffff:${a}`
}

/** "iptux (pid 4242)", "pid 17", or "another program" when /proc does not say. */
export function describeHolder(holder: PortHolder): string {
  if (holder.program && holder.pid !== undefined) return `${holder.program} (pid ${holder.pid})`
  return holder.pid === undefined ? 'another program' : `pid ${holder.pid}`
}
