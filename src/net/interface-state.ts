// Why an interface is missing from os.networkInterfaces(): libuv lists only interfaces that are up and running, so
// one that is down (or has no link) looks the same as one that does not exist. On Linux, /sys tells them apart.
import {readFileSync} from 'node:fs'

export type MissingInterfaceState = 'absent' | 'down' | 'no-link'

const IFF_UP = 0x1
/** Linux interface names: up to 15 characters, no '/' or white space (and never a path of our making). */
const INTERFACE_NAME = /^(?!\.{1,2}$)[^\s/]{1,15}$/

export function missingInterfaceState(name: string, sysfs = '/sys/class/net'): MissingInterfaceState {
  if (!INTERFACE_NAME.test(name)) return 'absent'
  let flags: number
  try {
    flags = Number.parseInt(readFileSync(`${sysfs}/${name}/flags`, 'utf8').trim(), 16)
  } catch {
    return 'absent' // no such interface, or not Linux
  }

  return flags & IFF_UP ? 'no-link' : 'down'
}
