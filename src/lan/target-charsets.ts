// Which copy of a message each announce target gets (issue 11.5): a unicast target the copy in the charset it
// reads, from what it sent back to our entry packet (sendCharset); a broadcast the default copy, since one datagram
// serves many peers. Pure: what was heard is passed in, encoding is the caller's function.
import type {Target} from '../net/targets.js'
import type {Packet} from '../protocol/types.js'

import {peerInputs, sendCharset, type SendCharsetInputs} from './send-charset.js'

/** One datagram of the message, written in one charset. */
export interface Copy {
  bytes: Uint8Array
  charset: string
  truncated: boolean
  /** Some characters of the text or names cannot be written in this charset: they went as '?'. */
  lossy?: boolean
}

export class TargetCharsets {
  private readonly heard = new Map<string, SendCharsetInputs>()
  private readonly targets: Set<string>

  /** @param targets the unicast targets' addresses: only they are followed (a flood of sources grows nothing). */
  constructor(targets: Iterable<string>) {
    this.targets = new Set(targets)
  }

  /** Notes what a packet from this address says about what it reads (`remembered`: Presence.peerCharset). */
  observe(address: string, packet: Packet, remembered: string | undefined): void {
    if (!this.targets.has(address)) return
    const inputs = peerInputs(packet, remembered)
    // CAPUTF8OPT comes on entry packets, not on every packet (RECVMSG): once announced, it holds.
    if (this.heard.get(address)?.readsUtf8) inputs.readsUtf8 = true
    this.heard.set(address, inputs)
  }

  /** True once an IPMsg packet came from this address. */
  heardFrom(address: string): boolean {
    return this.heard.has(address)
  }

  /** The charset of the copy for this target: `fallback` for a broadcast and for a peer never heard from. */
  charsetFor(target: Target, fallback: string): string {
    const inputs = target.kind === 'unicast' ? this.heard.get(target.address) : undefined
    return inputs ? sendCharset(inputs) : fallback
  }
}

/**
 * The copy for each target, in the order of `targets`: `main` unless the target reads another charset; each other
 * charset is written once (`write`), and a charset `write` cannot produce (undefined) gets `main` instead.
 */
export function copiesFor(
  targets: Target[],
  charsetOf: (target: Target) => string,
  main: Copy,
  write: (charset: string) => Copy | undefined,
): Copy[] {
  const written = new Map<string, Copy>([[main.charset, main]])
  return targets.map((target) => {
    const charset = charsetOf(target)
    let copy = written.get(charset)
    if (copy === undefined) {
      copy = write(charset) ?? main
      written.set(charset, copy)
    }

    return copy
  })
}
