export type * from './types.js'
export {
  type AttachmentInput,
  type AttachmentList,
  decodeAttachmentList,
  decodeAttachments,
  encodeAttachments,
} from './attachments.js'
export type {BodyCodec, BodyFamily, FamilyField} from './body-codec.js'
export {bodyCodec} from './body-codecs.js'
export {parseHostList} from './bodies/host-list.js'
export {type HostListPage, hostListPage} from './host-list-page.js'
export {
  decodeText,
  encodeText,
  ipmsgCharset,
  isAsciiCompatible,
  isValidUtf8,
  normalizeCharset,
  SUPPORTED_CHARSETS,
} from './charset.js'
export {identifyClient, isIpmsgVersion} from './client.js'
export * from './constants.js'
export {decode} from './decode.js'
export {DEFAULT_MAX_BYTES, DEFAULT_MAX_UTF8_BYTES, encode, EncodeError, type EncodeErrorCode} from './encode.js'
export {
  decodeEntryBody,
  encodeEntryBody,
  type EntryBody,
  type EntryBodyFields,
  type EntryBodyParts,
  parseExtension,
  splitEntryBody,
} from './entry-body.js'
export {splitFont} from './font.js'
export {type HeaderFields, type HeaderResult, printable, splitHeader} from './header.js'
export {clockPacketNo, isPacketNo, MAX_PACKET_NO, nextPacketNo} from './packet-number.js'
