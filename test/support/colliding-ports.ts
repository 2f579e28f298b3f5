// The attack on the peer table's hash that issue 13 measured: one host sending from thousands of source ports
// chosen so that their home buckets crowd together. The table probes linearly, so such ports form one long
// cluster and every lookup walks it. Used by test/lan/peer-table.test.ts and bench/collisions.ts.

/** The peer table's endpoint hash up to commit af1e09b: fixed and unkeyed, so anyone can compute it. */
export function unkeyedBucket(ip: number, port: number, capacity: number): number {
  return Math.imul(ip ^ Math.imul(port + 1, 0x85_eb_ca_6b), 0x9e_37_79_b1) >>> (32 - bucketBits(capacity))
}

/** log2 of the bucket count of a PeerTable of this capacity (twice as many buckets as rows, a power of two). */
export function bucketBits(capacity: number): number {
  let bits = 1
  while (2 ** bits < capacity * 2) bits++
  return bits
}

/**
 * `count` source ports from 1024 to 65535 whose home buckets under the unkeyed hash lie in the narrowest range,
 * in the order of their buckets: in a table of that capacity they make one cluster of up to `count` entries.
 */
export function collidingPorts(ip: number, capacity: number, count: number): number[] {
  const ports = Array.from({length: 65_536 - 1024}, (_, i) => i + 1024)
  const bucket = new Map(ports.map((port) => [port, unkeyedBucket(ip, port, capacity)]))
  ports.sort((a, b) => bucket.get(a)! - bucket.get(b)! || a - b)
  let best = 0
  for (let i = 1; i + count <= ports.length; i++) {
    const span = bucket.get(ports[i + count - 1])! - bucket.get(ports[i])!
    if (span < bucket.get(ports[best + count - 1])! - bucket.get(ports[best])!) best = i
  }

  return ports.slice(best, best + count)
}
