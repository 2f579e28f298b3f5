// Hand-built decoded packets for the lan/ tests: mode, modeNo, options and client follow from command and
// version exactly as the codec derives them, so a test only states what it is about.
import type {Packet} from '../../src/protocol/types.js'

import {identifyClient} from '../../src/protocol/client.js'
import {isEntryMode, modeName, modeOf, optionNames} from '../../src/protocol/constants.js'

export type PacketFields = Partial<Omit<Packet, 'command' | 'mode' | 'modeNo' | 'options'>>

export function makePacket(command: number, fields: PacketFields = {}): Packet {
  const version = fields.version ?? '1'
  const packet: Packet = {
    version,
    client: identifyClient(version),
    packetNo: 1_700_000_000,
    user: 'alice',
    host: 'PC01',
    command,
    mode: modeName(command),
    modeNo: modeOf(command),
    options: optionNames(command),
    text: '',
    charset: 'utf-8',
    ...fields,
  }
  if (isEntryMode(command)) {
    packet.nickname ??= 'Alice'
    packet.group ??= ''
  }

  return packet
}
