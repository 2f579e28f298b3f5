// The shapes of the IPMsg/Feiqiu codec. Pure data: no sockets, no clock.
// Section numbers (§) refer to ../shared/protocol/ipmsg.md.

/** Which client a version field identifies (§1.3, §6.1, §9). */
export interface ClientInfo {
  /**
   * 'ipmsg' for a plain `1`, 'iptux', 'feiqiu', 'feige' (`5.1.*`, `1.feige.*`), 'shiyeline' (内网通, `1@shiyeline`),
   * or 'unknown' for any other `1_…` (field notes §2.1).
   */
  kind: 'feige' | 'feiqiu' | 'ipmsg' | 'iptux' | 'shiyeline' | 'unknown'
  /** Human name: 'IP Messenger', 'iptux', 'Feiqiu', 'Feige', '内网通', 'unknown'. */
  name: string
  /** iptux: the version after `1_iptux ` (e.g. '0.10.0'); Feige: the version field; IP Messenger: from `VS:` ('4.99r3'). */
  version?: string
  /** IP Messenger: the platform of an entry packet's `VS:` type ('Win32', 'Win64', 'Mac', 'iOS', 'Android', or hex). */
  platform?: string
  /** Feiqiu: the generation tag from part 0, e.g. 'lbt6'. */
  generation?: string
  /** Feiqiu: avatar (head icon) number from part 0, e.g. 0 for `1_lbt6_0`. */
  avatar?: number
  /** Feiqiu: the MAC address from part 2, as sent (12 hex digits, no separators). */
  mac?: string
  /** Feiqiu: every `#`-separated part of the version field, verbatim. */
  parts?: string[]
}

/** One record of an attachment list (§1.6). */
export interface Attachment {
  /** File id (decimal on the wire). */
  id: number
  /** File name, with `::` unescaped to `:`. */
  name: string
  /** Size in bytes (hex on the wire); precision is lost above 2^53, see sizeHex. */
  size: number
  /** The size exactly as sent (hex digits). */
  sizeHex: string
  /** Modification time, Unix seconds (hex on the wire). */
  mtime: number
  /** File attribute word (hex on the wire). */
  attr: number
  /** Name of the type in the low 8 bits of attr: 'REGULAR', 'DIR', … or '0x..'. */
  type: string
  /** Extended attributes `id=value[,value]`, keyed by the hex id as sent. */
  extAttrs?: Record<string, string>
}

/** A Feiqiu group-chat message or announce (0x23, 0xC9; field notes §2.3), decrypted or not. */
export interface GroupChat {
  /** The group id, hex as written in the plaintext. */
  groupId?: string
  /** The sender's Unix time from the plaintext (current Feiqiu; absent in older builds and announces). */
  time?: number
  /** Why the body could not be decrypted; absent when it was. */
  encrypted?: string
}

/** One key of an IPDict (field notes §1.9), in the order sent. */
export interface IpDictEntry {
  key: string
  /** The value's length in bytes, as declared. */
  length: number
  /** Integer keys as numbers, text keys as text; absent for binary and encrypted values (only their length is told). */
  value?: number | string
}

/** An IPDict `IP2:<hexlen>:key:<hexlen>:value…:Z` (field notes §1.9): its outer keys, none of them decrypted. */
export interface IpDict {
  /** The outer keys, in the order sent (at most 64 are read). */
  entries: IpDictEntry[]
  /** The keys whose values are ciphertext (EK: the RSA-encrypted key; EB: the AES-encrypted body). */
  encrypted: string[]
  /** The mode of a `CMD` key in the clear, by name. */
  mode?: string
  /** Why the rest could not be read (cut short, malformed); the entries before it are kept. */
  error?: string
}

/** An IpMsg.Net "V2" frame header (field notes §2.1): `'2'`, then little-endian numbers; the body is gzip, one part. */
export interface IpMsgNetFrame {
  /** The u64 packet number, in decimal (it may exceed 2^53). */
  packetNo: string
  /** The length of the whole compressed message, over every part. */
  totalLength: number
  parts: number
  /** This frame's part, from 0. */
  part: number
  /** The sender asks for an acknowledgement. */
  ack: boolean
  /** Bytes of compressed data in this frame. */
  dataLength: number
}

/**
 * A datagram of a known dialect that has no classic IPMsg header (so no Packet): Windows v4.5+'s bare IPDict, or
 * IpMsg.Net's binary V2 frame.
 */
export type Dialect =
  {dict: IpDict; kind: 'ipdict'; name: string} | {frame: IpMsgNetFrame; kind: 'ipmsgnet-v2'; name: string}

/** The UTF-8 extension block of entry packets (§1.4). Keys as on the wire. */
export interface EntryExtension {
  UN?: string
  HN?: string
  NN?: string
  GN?: string
  VS?: string
  /** Any other `KEY:value` lines (e.g. PL, IP), verbatim. */
  [key: string]: string | undefined
}

/** A decoded IPMsg packet. Field names are the protocol's own (design.md). */
export interface Packet {
  /** Version field, verbatim. */
  version: string
  client: ClientInfo
  packetNo: number
  /** Sender login name (from the UTF-8 extension when present, §1.4). */
  user: string
  /** Sender host name (from the UTF-8 extension when present, §1.4). */
  host: string
  /** The full 32-bit command word. */
  command: number
  /** Low 8 bits by name without `IPMSG_` (e.g. 'SENDMSG'), or '0xD1' when unknown. */
  mode: string
  /** Low 8 bits as a number. */
  modeNo: number
  /** Names of the set option bits, relative to the mode's family (§2.2); unknown bits as '0x00000000' hex. */
  options: string[]
  /**
   * The text: for SENDMSG the message (Feiqiu font directive split off into `font`);
   * for SENDINFO/SENDABSENCEINFO the version/absence string; for RECVMSG/READMSG/ANSREADMSG
   * and any other mode the first NUL-terminated part of the additional section, decoded.
   * Empty for the entry family (see nickname/group).
   */
  text: string
  /** Entry family (BR_ENTRY, BR_EXIT, ANSENTRY, BR_ABSENCE, NOOPERATION): nickname. */
  nickname?: string
  /** Entry family: group name. */
  group?: string
  /** Entry family: the UTF-8 extension block, when present. */
  extension?: EntryExtension
  /** Entry family: the IPDict of a Windows `\nIP:` line (base64; field notes §1.5, §1.9), its outer keys. */
  dict?: IpDict
  /** Entry family from Feige and 内网通: the NUL-separated parts after the group, as sent (field notes §2.1). */
  extraParts?: string[]
  /** FEIQ_SENDIMAGE (0xC0) with FILEATTACHOPT: the image id, the body's first 8 bytes (field notes §2.2). */
  imageId?: string
  /** iptux entry extension (§1.4, §9): icon file and declared encoding. */
  iptux?: {encoding?: string; icon?: string}
  /** RECVMSG/READMSG/ANSREADMSG/RELEASEFILES: the acknowledged packet number. */
  acknowledges?: number
  /** SENDMSG|FILEATTACHOPT: the attachment list. */
  attachments?: Attachment[]
  /** SENDMSG|FILEATTACHOPT: the records of the list that could not be read, as sent, and why. */
  attachmentErrors?: Array<{error: string; record: string}>
  /** Feiqiu rich-text directive split from the end of the text, e.g. '{/font;-16 0 … 8404992;}' (§6.2). */
  font?: string
  /** True when ENCRYPTOPT is set on a SENDMSG (`text` then holds the ciphertext as sent), or a group-chat body cannot be decrypted. */
  encrypted?: boolean
  /** Feiqiu group chat (0x23 message, 0xC9 announce): the group; `text` is the decrypted text or group name. */
  groupChat?: GroupChat
  /** GETLIST: the index of the first host asked for (§3.10). */
  listStart?: number
  /** ANSLIST: one page of the sender's host list (§3.10). */
  hostList?: HostList
  /** Charset used for the non-extension text: 'utf-8', 'gbk', 'gb18030', 'cp932', … (§5). */
  charset: string
}

/** One host of an ANSLIST page (§3.10): `user\ahost\astatus\aaddress\aport\anick\agroup\a`. */
export interface ListedHost {
  user: string
  host: string
  /** The host's status word as sent (entry-family option bits, e.g. ABSENCEOPT). */
  status: number
  /** Names of the option bits of `status`, as for an entry packet (§2.2). */
  options: string[]
  /** As sent: an IPv4 or IPv6 address in text form. */
  address: string
  /** The port, byte-swapped back: Windows prints htons(port) in decimal (2425 is sent as 30985). */
  port: number
  /** The port field exactly as sent. */
  portAsSent: number
  /** Empty when sent as the placeholder `\b`. */
  nickname: string
  group: string
}

/** One ANSLIST page (§3.10). */
export interface HostList {
  /** Where the next page starts (the next GETLIST's body); 0 when this page is the last. */
  next: number
  /** The number of hosts the sender says this page holds. */
  count: number
  hosts: ListedHost[]
  /** Entries that could not be read, as sent (fields joined by `\a`), and why: nothing is dropped silently. */
  errors?: Array<{entry: string; error: string}>
}

/** What encode() needs for one host of an ANSLIST page; `port` is the real port (encode swaps it, §3.10). */
export type ListedHostInput = Pick<ListedHost, 'address' | 'host' | 'port' | 'status' | 'user'> &
  Partial<Pick<ListedHost, 'group' | 'nickname'>>

/** Result of decode(): never thrown, always returned. */
export type DecodeResult =
  {dialect?: Dialect; error: string; ok: false; raw: Uint8Array} | {ok: true; packet: Packet; raw: Uint8Array}

export interface DecodeOptions {
  /** Charset for text that is neither UTF8OPT, Feiqiu, nor valid UTF-8 (§5 step 5). Default 'gb18030'. */
  legacyCharset?: string
  /** The legacy charset remembered for this peer; like legacyCharset, used only for text that is not valid UTF-8. */
  peerCharset?: string
}

/** What encode() needs to build a datagram. */
export interface OutgoingPacket {
  /** Version field; default '1'. */
  version?: string
  packetNo: number
  user: string
  host: string
  /** The full 32-bit command word (mode | options): encode sends it as given. */
  command: number
  /** SENDMSG text, SENDINFO/SENDABSENCEINFO string, or any other body. */
  text?: string
  /** Entry family: nickname and group; the UTF-8 extension (UN/HN/NN/GN) is added as Windows does (§1.4). */
  nickname?: string
  group?: string
  /** Entry family: a `VS:` value to put in the extension (omitted when absent). */
  vs?: string
  /** Entry family: false leaves the UTF-8 extension out (Feiqiu converts the whole section from GBK). */
  utf8Extension?: boolean
  /** RECVMSG/READMSG/ANSREADMSG/RELEASEFILES: the packet number acknowledged (decimal body; ignored by other modes). */
  acknowledges?: number
  /** GETLIST: the index of the first host asked for (decimal body). */
  listStart?: number
  /** ANSLIST: one page of a host list; `count` is the number of hosts given. */
  hostList?: {next: number; hosts: readonly ListedHostInput[]}
}

export interface EncodeOptions {
  /** Charset of the legacy fields and text: 'utf-8' (default), 'gbk', 'gb18030', 'cp932', 'shift_jis', … */
  charset?: string
  /** Largest datagram in bytes; default 8191 (iptux reads at most 8191 bytes, §1.7). */
  maxBytes?: number
  /**
   * Largest datagram once converted to UTF-8, for a charset other than UTF-8; default 8192 (iptux converts such a
   * datagram into an 8192-byte buffer and cuts the rest).
   */
  maxUtf8Bytes?: number
  /** Shorten the text to fit maxBytes and maxUtf8Bytes instead of throwing. */
  truncate?: boolean
}

export interface EncodeResult {
  bytes: Uint8Array
  /** True when the text was shortened to fit maxBytes. */
  truncated: boolean
}
