// Every exit code lanmsg uses (documented in the README and in `announce --help`), and the one place where an error
// becomes one: the layers below raise errors by kind (a UsageError; a NetError's `code`), never an exit code.
import {CaptureFileError} from '../net/capture-file.js'
import {NetError} from '../net/net-error.js'
import {UsageError} from '../net/usage-error.js'
import {OutputError} from './output-error.js'

export const EXIT_CODES = {
  ok: 0,
  other: 1,
  /** Invalid flags or arguments. */
  usage: 2,
  /** The UDP port is in use; for `announce`, an IPMsg client holds it on this host. */
  addressInUse: 3,
  /** A port below 1024 without the rights, or broadcast not permitted. */
  permission: 4,
  networkUnreachable: 5,
  /** A unicast target of a packet that asks for a receipt never acknowledged it. */
  notDelivered: 6,
  /** Fewer peers answered than --expect asked for, or a discovery that nobody answered. */
  fewerAnswers: 7,
  /** The results could not be written to stdout (a full disk, a terminal that went away): one line on stderr. */
  outputFailed: 8,
  /** listen --read: the capture file cannot be read, is not pcap or pcapng, or is corrupt or cut short. */
  captureFile: 9,
  /** `doctor`: at least one check failed. */
  checkFailed: 10,
} as const

/** The NetError kinds that have an exit code of their own; any other NetError is exit 1. */
const NET_ERROR_EXIT_CODES: Readonly<Record<string, number>> = {
  EADDRINUSE: EXIT_CODES.addressInUse,
  ESHAREDPORT: EXIT_CODES.addressInUse,
  EACCES: EXIT_CODES.permission,
  EPERM: EXIT_CODES.permission,
  ENETUNREACH: EXIT_CODES.networkUnreachable,
  EHOSTUNREACH: EXIT_CODES.networkUnreachable,
  EADDRNOTAVAIL: EXIT_CODES.networkUnreachable,
  ENOTFOUND: EXIT_CODES.networkUnreachable,
  EAI_NONAME: EXIT_CODES.networkUnreachable,
  EAI_NODATA: EXIT_CODES.networkUnreachable,
  EAI_AGAIN: EXIT_CODES.networkUnreachable,
}

/** The exit code for an error that ended a command; oclif's own errors (parsing, --help) carry theirs. */
export function exitCodeOf(err: Error & {oclif?: {exit?: number}}): number {
  if (err instanceof UsageError) return EXIT_CODES.usage
  if (err instanceof OutputError) return EXIT_CODES.outputFailed
  if (err instanceof CaptureFileError) return EXIT_CODES.captureFile
  if (err instanceof NetError)
    return Object.hasOwn(NET_ERROR_EXIT_CODES, err.code) ? NET_ERROR_EXIT_CODES[err.code] : EXIT_CODES.other
  return err.oclif?.exit ?? EXIT_CODES.other
}
