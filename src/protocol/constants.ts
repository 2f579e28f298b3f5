// Numeric constants of the IPMsg command word (§1.8, §2). Names drop the spec's `IPMSG_` prefix.

export const DEFAULT_PORT = 2425

/** Low 8 bits of the command word: the command ("mode"). */
export const MODE_MASK = 0x000000ff
/** High 24 bits of the command word: the option flags. */
export const OPTION_MASK = 0xffffff00

/** Every command code of §2.1, standard first, then the private codes seen on LANs. */
const modeTable = {
  NOOPERATION: 0x00,
  BR_ENTRY: 0x01,
  BR_EXIT: 0x02,
  ANSENTRY: 0x03,
  BR_ABSENCE: 0x04,
  BR_ISGETLIST: 0x10,
  OKGETLIST: 0x11,
  GETLIST: 0x12,
  ANSLIST: 0x13,
  ANSLIST_DICT: 0x14,
  BR_ISGETLIST2: 0x18,
  SENDMSG: 0x20,
  RECVMSG: 0x21,
  READMSG: 0x30,
  DELMSG: 0x31,
  ANSREADMSG: 0x32,
  GETINFO: 0x40,
  SENDINFO: 0x41,
  GETABSENCEINFO: 0x50,
  SENDABSENCEINFO: 0x51,
  GETFILEDATA: 0x60,
  RELEASEFILES: 0x61,
  GETDIRFILES: 0x62,
  DIRFILES_AUTH: 0x63,
  DIRFILES_AUTHRET: 0x64,
  GETPUBKEY: 0x72,
  ANSPUBKEY: 0x73,
  AGENT_REQ: 0xa0,
  AGENT_ANSREQ: 0xa1,
  AGENT_PACKET: 0xa2,
  AGENT_PROXYREQ: 0xa3,
  DIR_POLL: 0xb0,
  DIR_POLLAGENT: 0xb1,
  DIR_BROADCAST: 0xb2,
  DIR_ANSBROAD: 0xb3,
  DIR_PACKET: 0xb4,
  DIR_REQUEST: 0xb5,
  DIR_AGENTPACKET: 0xb6,
  DIR_EVBROAD: 0xb7,
  DIR_AGENTREJECT: 0xb8,
  // Private Feiqiu codes (§2.1 "non-standard", §6.3): reverse-engineered, names are ours.
  FEIQ_PRESENCE: 0x09,
  FEIQ_GROUPMSG: 0x23,
  FEIQ_OPEN_YOU: 0x77,
  FEIQ_ONLINE: 0x78,
  FEIQ_INPUTING: 0x79,
  FEIQ_INPUT_END: 0x7a,
  FEIQ_SENDIMAGE: 0xc0,
  FEIQ_RECVIMAGE: 0xc1,
  FEIQ_GROUP_ANNOUNCE: 0xc9,
  FEIQ_SHAKE: 0xd1,
  FEIQ_ANSSHAKE: 0xd2,
  // iptux private codes (§2.1, IXH): the names iptux itself uses.
  IPTUX_SENDMSG: 0xfb,
  IPTUX_SEND_SIGN: 0xfc,
  IPTUX_SENDSUBLAYER: 0xfd,
  IPTUX_SENDICON: 0xfe,
  IPTUX_ASKSHARED: 0xff,
}
export const MODES: Readonly<typeof modeTable> = Object.freeze(modeTable)

/** Alternative spellings accepted by parseMode (§2.1: BR_NOTIFY is BR_ABSENCE). */
const MODE_ALIASES: Readonly<Record<string, number>> = {BR_NOTIFY: 0x04}

// Option flags (§2.2). The same bit means different things in different families.
export const ABSENCEOPT = 0x00000100
export const SERVEROPT = 0x00000200
export const CAPFILEENC_OBSLT = 0x00001000
export const DIALUPOPT = 0x00010000
export const CAPFILEENCOPT = 0x00040000
export const FILEATTACHOPT = 0x00200000
export const ENCRYPTOPT = 0x00400000
export const UTF8OPT = 0x00800000
export const CAPUTF8OPT = 0x01000000
export const CAPIPDICTOPT = 0x02000000
export const ENCEXTMSGOPT = 0x04000000
export const CLIPBOARDOPT = 0x08000000
export const DIR_MASTER = 0x10000000
export const FLAG_RESV1 = 0x20000000
export const FLAG_RESV2 = 0x40000000

export const SENDCHECKOPT = 0x00000100
export const SECRETOPT = 0x00000200
export const BROADCASTOPT = 0x00000400
export const MULTICASTOPT = 0x00000800
export const NOPOPUPOPT = 0x00001000
export const AUTORETOPT = 0x00002000
export const RETRYOPT = 0x00004000
export const PASSWORDOPT = 0x00008000
export const NOLOGOPT = 0x00020000
export const NEWMULTIOPT = 0x00040000
export const NOADDLISTOPT = 0x00080000
export const READCHECKOPT = 0x00100000
export const SECRETEXOPT = READCHECKOPT | SECRETOPT
export const IPTUX_PASSWDOPT = 0x40000000
export const IPTUX_SHAREDOPT = 0x80000000

export const ENCFILE_OBSLT = 0x00000400
export const ENCFILEOPT = 0x00000800

/** Entry family (BR_ENTRY, BR_EXIT, ANSENTRY, BR_ABSENCE, NOOPERATION): status flags. */
const entryOptions = {
  ABSENCEOPT,
  SERVEROPT,
  CAPFILEENC_OBSLT,
  DIALUPOPT,
  CAPFILEENCOPT,
  FILEATTACHOPT,
  ENCRYPTOPT,
  UTF8OPT,
  CAPUTF8OPT,
  CAPIPDICTOPT,
  ENCEXTMSGOPT,
  CLIPBOARDOPT,
  DIR_MASTER,
  FLAG_RESV1,
  FLAG_RESV2,
}
export const ENTRY_OPTIONS: Readonly<typeof entryOptions> = Object.freeze(entryOptions)

/** SENDMSG family; also used for every mode outside the entry and file-request families. */
const messageOptions = {
  SENDCHECKOPT,
  SECRETOPT,
  BROADCASTOPT,
  MULTICASTOPT,
  NOPOPUPOPT,
  AUTORETOPT,
  RETRYOPT,
  PASSWORDOPT,
  NOLOGOPT,
  NEWMULTIOPT,
  NOADDLISTOPT,
  READCHECKOPT,
  FILEATTACHOPT,
  ENCRYPTOPT,
  UTF8OPT,
  CAPUTF8OPT,
  ENCEXTMSGOPT,
  // §2.2: iptux-only bits, on SENDMSG and IPTUX_ASKSHARED.
  IPTUX_PASSWDOPT,
  IPTUX_SHAREDOPT,
}
export const MESSAGE_OPTIONS: Readonly<typeof messageOptions> = Object.freeze(messageOptions)

/** GETFILEDATA / GETDIRFILES family (§2.2; FILEATTACHOPT is what iptux adds towards iptux peers, §9). */
const fileRequestOptions = {
  ENCFILE_OBSLT,
  ENCFILEOPT,
  FILEATTACHOPT,
  ENCRYPTOPT,
  UTF8OPT,
}
export const FILE_REQUEST_OPTIONS: Readonly<typeof fileRequestOptions> = Object.freeze(fileRequestOptions)

/** Composite names accepted by parseOption but never produced by optionNames. */
const MESSAGE_OPTION_ALIASES: Readonly<Record<string, number>> = {
  SECRETEXOPT,
  NOPOPUPOPTOBSOLT: NOPOPUPOPT,
  NEWMUTIOPT: NEWMULTIOPT,
  NO_REPLY_OPTS: BROADCASTOPT | AUTORETOPT,
}

/** File types, the low 8 bits of an attachment's attribute word (§2.4). */
const fileTypes = {
  REGULAR: 0x01,
  DIR: 0x02,
  RETPARENT: 0x03,
  SYMLINK: 0x04,
  CDEV: 0x05,
  BDEV: 0x06,
  FIFO: 0x07,
  RESFORK: 0x10,
  CLIPBOARD: 0x20,
}
export const FILE_TYPES: Readonly<typeof fileTypes> = Object.freeze(fileTypes)

const MODE_NAMES = new Map<number, string>(Object.entries(MODES).map(([name, value]) => [value, name]))
const FILE_TYPE_NAMES = new Map<number, string>(Object.entries(FILE_TYPES).map(([name, value]) => [value, name]))

function hex(value: number, digits: number): string {
  return '0x' + value.toString(16).toUpperCase().padStart(digits, '0')
}

/** Low 8 bits of a command word. */
export function modeOf(command: number): number {
  return command & MODE_MASK
}

// Every mode's name, known or '0xD8' style, by number: one array read a datagram.
const MODE_NAME_LIST: readonly string[] = Array.from({length: MODE_MASK + 1}, (_, n) => MODE_NAMES.get(n) ?? hex(n, 2))

/** Name of a mode (low 8 bits are used), or '0xD8' style when unknown. */
export function modeName(mode: number): string {
  return MODE_NAME_LIST[mode & MODE_MASK]
}

/** Name of a file type (low 8 bits of an attachment attribute), or '0x..' when unknown. */
export function fileTypeName(attr: number): string {
  const n = attr & 0xff
  return FILE_TYPE_NAMES.get(n) ?? hex(n, 2)
}

export function isEntryMode(mode: number): boolean {
  const n = mode & MODE_MASK
  return n <= MODES.BR_ABSENCE
}

function isFileRequestMode(mode: number): boolean {
  const n = mode & MODE_MASK
  return n === MODES.GETFILEDATA || n === MODES.GETDIRFILES
}

/** The option table that gives meaning to the flags of this mode (§2.2). */
export function optionTable(mode: number): Readonly<Record<string, number>> {
  if (isEntryMode(mode)) return ENTRY_OPTIONS
  if (isFileRequestMode(mode)) return FILE_REQUEST_OPTIONS
  return MESSAGE_OPTIONS
}

/** Parses a decimal or 0x-hex unsigned integer; undefined for anything else or above 2^32-1. */
function parseUint32(input: string): number | undefined {
  const s = input.trim()
  let value: number
  if (/^0x[\da-f]{1,8}$/i.test(s)) value = Number.parseInt(s.slice(2), 16)
  else if (/^\d{1,10}$/.test(s)) value = Number(s)
  else return undefined
  return value <= 0xffffffff ? value : undefined
}

function stripPrefix(input: string): string {
  const s = input.trim().toUpperCase()
  return s.startsWith('IPMSG_') ? s.slice(6) : s
}

/** A mode from a name (`SENDMSG`, `sendmsg`, `IPMSG_SENDMSG`) or a number (`32`, `0x20`) in 0..255. */
export function parseMode(input: string): number | undefined {
  const number = parseUint32(input)
  if (number !== undefined) return number <= MODE_MASK ? number : undefined
  const name = stripPrefix(input)
  if (Object.hasOwn(MODES, name)) return (MODES as Readonly<Record<string, number>>)[name]
  if (Object.hasOwn(MODE_ALIASES, name)) return MODE_ALIASES[name]
  return undefined
}

/** Names of the option bits set in a command word, relative to its mode's family; unknown bits as '0x00000000'. */
export function optionNames(command: number): string[] {
  const known = OPTION_NAMES.get(command)
  if (known) return [...known]
  const names = listOptionNames(command)
  if (OPTION_NAMES.size < 1024) OPTION_NAMES.set(command, names)
  return [...names]
}

/** The names of the command words seen so far (a few kinds of datagram make up a LAN's traffic). */
const OPTION_NAMES = new Map<number, readonly string[]>()

function listOptionNames(command: number): string[] {
  const table = flagNames(optionTable(command))
  const names: string[] = []
  for (let bit = 8; bit < 32; bit++) {
    if (((command >>> bit) & 1) === 0) continue
    const flag = 2 ** bit
    names.push(table.get(flag) ?? hex(flag, 8))
  }

  return names
}

const FLAG_NAMES = new Map<Readonly<Record<string, number>>, Map<number, string>>()

/** flag → the first key of `table` with that value (what a search of Object.keys would find), built once. */
function flagNames(table: Readonly<Record<string, number>>): Map<number, string> {
  let names = FLAG_NAMES.get(table)
  if (names === undefined) {
    names = new Map()
    for (const key of Object.keys(table)) if (!names.has(table[key])) names.set(table[key], key)
    FLAG_NAMES.set(table, names)
  }

  return names
}

/** An option flag of `mode`'s family by name (with or without `IPMSG_`), or a number/hex with the low 8 bits clear. */
export function parseOption(input: string, mode: number): number | undefined {
  const number = parseUint32(input)
  if (number !== undefined) return number % 0x100 === 0 ? number : undefined
  const name = stripPrefix(input)
  const table = optionTable(mode)
  if (Object.hasOwn(table, name)) return table[name]
  if (table === MESSAGE_OPTIONS && Object.hasOwn(MESSAGE_OPTION_ALIASES, name)) return MESSAGE_OPTION_ALIASES[name]
  return undefined
}
