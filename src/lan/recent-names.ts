// One copy of each name seen lately (user, host, nickname, group), for the rows of the peer table to keep. Every
// decoded packet brings strings of its own; a row that kept them carried them into the old generation, where they
// became garbage when the row was dropped (under a flood of new sources, every datagram): ~130 bytes promoted a
// datagram, most of what grew the heap (bench: memory). With the copy seen before, the packet's strings die young.
//
// A direct-mapped cache: a slot chosen from the length and three characters holds the last name that fell into it.
// Looking up costs one comparison and allocates nothing; memory is fixed; a miss only means the name is kept as it
// came, so names chosen to share a slot cost what they cost before.

const SLOTS = 1024

export class RecentNames {
  private readonly slots: string[] = Array.from({length: SLOTS}, () => '')

  /** The copy of `name` held, when its slot holds an equal one; else `name`, now held in its place. */
  intern(name: string): string {
    const n = name.length
    if (n === 0) return ''
    const slot =
      (Math.imul(n, 0x9e_37) +
        Math.imul(name.charCodeAt(0), 31) +
        Math.imul(name.charCodeAt(n >> 1), 7) +
        name.charCodeAt(n - 1)) &
      (SLOTS - 1)
    const held = this.slots[slot]
    if (held === name) return held
    this.slots[slot] = name
    return name
  }
}
