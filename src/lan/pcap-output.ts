// `listen --write FILE`: every datagram shown, saved as it comes into a pcap file that Wireshark and tcpdump open
// (net/capture-writer.ts synthesises the frames). A datagram from the socket goes to the address lanmsg is bound
// to; one from a capture keeps both ends, its transport and its time.
import type {WriteStream} from 'node:fs'
import type {FileHandle} from 'node:fs/promises'

import type {ReceivedDatagram} from './received-datagram.js'

import {pcapFileHeader, pcapRecord} from '../net/capture-writer.js'

export class PcapOutput {
  /** The write error that stopped the file, if one did. */
  failure: NodeJS.ErrnoException | undefined
  private readonly stream: WriteStream

  /** `to`: the destination of datagrams that came without one (those read from the socket). */
  constructor(
    file: FileHandle,
    private readonly to: {address: string; port: number},
  ) {
    this.stream = file.createWriteStream()
    this.stream.on('error', (error: NodeJS.ErrnoException) => (this.failure ??= error))
    this.stream.write(pcapFileHeader())
  }

  /** Saves every datagram the source hands on from now on. */
  follow(source: {on(event: 'datagram', listener: (datagram: ReceivedDatagram) => void): unknown}): void {
    source.on('datagram', (datagram) => this.write(datagram))
  }

  write(datagram: ReceivedDatagram): void {
    if (this.failure) return
    const timeUs = datagram.timeUs ?? datagram.receivedAt * 1000
    this.stream.write(
      pcapRecord(timeUs, {
        transport: datagram.transport ?? 'udp',
        from: datagram.from,
        to: datagram.to ?? this.to,
        payload: datagram.data,
      }),
    )
  }

  /** Resolves once everything is on disk (or the file failed). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.closed) resolve()
      else this.stream.end(() => resolve())
      this.stream.once('error', () => resolve())
    })
  }
}
