// Hashing for the tables a sender fills (peer table, duplicate memory): the key is drawn at random for each
// table, so which sources share a bucket cannot be known, let alone chosen, by whoever sends. With a fixed hash one
// host sending from 12,000 chosen ports made every datagram ~64x slower (issue 13).
//
// The keyed step is multiply-add (odd random multipliers, a random offset): two different inputs land on the same
// 32-bit value only for a tiny share of the keys. fmix32 (MurmurHash3's finaliser, a bijection) then spreads every
// input bit over the high bits that pick the bucket.
import {randomFill} from './random-fill.js'

/** A random key of `words` 32-bit words, each odd (a multiplier must be odd to be a bijection mod 2^32). */
export function randomHashKey(words: number): Uint32Array {
  const key = randomFill(new Uint32Array(words))
  for (let i = 0; i < words; i++) key[i] |= 1
  return key
}

/** MurmurHash3's 32-bit finaliser: a bijection whose every output bit depends on every input bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85_eb_ca_6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2_b2_ae_35)
  return (h ^ (h >>> 16)) >>> 0
}
