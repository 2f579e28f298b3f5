// Feiqiu group-chat datagrams made the way the field notes (§2.3) describe, encrypted by OpenSSL's own Blowfish
// (Node with its legacy provider), not by the library lanmsg decrypts with: the vectors are independent of it.
import {spawnSync} from 'node:child_process'

import iconv from 'iconv-lite'

const ENCRYPT = `
const crypto = require('node:crypto')
const jobs = JSON.parse(require('node:fs').readFileSync(0, 'utf8'))
const out = jobs.map(({key, plain, padding}) => {
  const cipher = crypto.createCipheriv('bf-cbc', Buffer.from(key, 'latin1'), Buffer.alloc(8))
  let input = Buffer.from(plain, 'hex')
  if (padding === 'zero') {
    cipher.setAutoPadding(false)
    input = Buffer.concat([input, Buffer.alloc((8 - (input.length % 8)) % 8)])
  }
  return Buffer.concat([cipher.update(input), cipher.final()]).toString('hex')
})
process.stdout.write(JSON.stringify(out))
`

interface Job {
  key: string
  plain: Uint8Array
  padding?: 'pkcs5' | 'zero'
}

/** Blowfish-CBC, zero IV, with OpenSSL, for many inputs in one child process. */
function opensslBlowfishCbcMany(jobs: Job[]): Buffer[] {
  const input = jobs.map((j) => ({
    key: j.key,
    plain: Buffer.from(j.plain).toString('hex'),
    padding: j.padding ?? 'pkcs5',
  }))
  const run = spawnSync(process.execPath, ['--openssl-legacy-provider', '-e', ENCRYPT], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (run.status !== 0) throw new Error(`OpenSSL Blowfish failed: ${run.stderr}`)
  return (JSON.parse(run.stdout) as string[]).map((hex) => Buffer.from(hex, 'hex'))
}

/** Blowfish-CBC, zero IV, with OpenSSL: PKCS#5 padding (pigercc's client) or zeros (OpenSSL's raw BF_cbc_encrypt). */
export function opensslBlowfishCbc(key: string, plain: Uint8Array, padding: 'pkcs5' | 'zero' = 'pkcs5'): Buffer {
  return opensslBlowfishCbcMany([{key, plain, padding}])[0]
}

export interface GroupMessageInput {
  mac: string
  groupId: string
  text: string
  /** Unix time in the plaintext; undefined for the older `QUNMSGMARK#<gid>#text` form. */
  time?: number
  font?: string
  user?: string
  host?: string
  packetNo?: number
  /** 0x400023 (message, as Feiqiu sends it) or 0x2000c9 (announce). */
  command?: number
  /** Encrypt with this key instead of the MAC (a sender whose key is not what its header says). */
  key?: string
  padding?: 'pkcs5' | 'zero'
}

/** `1_lbt4_0#128#<MAC>#0#0#<cipher length>#4000#9:<no>:<user>:<host>:<command>:` then the ciphertext. */
export function feiqiuGroupDatagram(input: GroupMessageInput): Buffer {
  return feiqiuGroupDatagrams([input])[0]
}

/** feiqiuGroupDatagram for many messages, with one OpenSSL process. */
export function feiqiuGroupDatagrams(inputs: GroupMessageInput[]): Buffer[] {
  const ciphers = opensslBlowfishCbcMany(
    inputs.map((input) => {
      const head = input.time === undefined ? input.groupId : `${input.groupId}_${input.time}`
      const plain = iconv.encode(`QUNMSGMARK#${head}#${input.text}${input.font ?? ''}`, 'gbk')
      return {key: input.key ?? input.mac, plain, padding: input.padding}
    }),
  )
  return inputs.map((input, i) => {
    const header =
      `1_lbt4_0#128#${input.mac}#0#0#${ciphers[i].length}#4000#9:${input.packetNo ?? 1_764_590_000}:` +
      `${input.user ?? 'qunuser'}:${input.host ?? 'qunhost'}:${input.command ?? 0x40_00_23}:`
    return Buffer.concat([iconv.encode(header, 'gbk'), ciphers[i]])
  })
}
