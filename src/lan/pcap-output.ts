// `listen --write FILE`: every datagram shown, saved as it comes into a pcap file that Wireshark and tcpdump open
// (net/capture-writer.ts synthesises the frames). A datagram from the socket goes to the address lanmsg is bound
// to; one from a capture keeps both ends, its transport and its time.
import type {Endpoint} from '../net/endpoint.js'
import type {WriteStream} from 'node:fs'
import type {FileHandle} from 'node:fs/promises'

import type {ReceivedDatagram} from './received-datagram.js'

import {pcapFileHeader, pcapRecord} from '../net/capture-writer.js'

/** Bytes waiting to be written beyond which the source is held. */
export const BACKLOG_BYTES = 4 << 20

export class PcapOutput {
  /** The write error that stopped the file, if one did. */
  failure: NodeJS.ErrnoException | undefined
  private readonly stream: WriteStream

  /** `to`: the destination of datagrams that came without one (those read from the socket). */
  constructor(
    file: FileHandle,
    private readonly to: Endpoint,
  ) {
    this.stream = file.createWriteStream()
    this.stream.on('error', (error: NodeJS.ErrnoException) => (this.failure ??= error))
    this.stream.write(pcapFileHeader())
  }

  /**
   * Saves every datagram the source hands on from now on. While more than BACKLOG_BYTES wait for the disk (or
   * the reader of a pipe), the source is held: a capture is read no faster than it can be saved.
   */
  follow(source: {
    on(event: 'datagram', listener: (datagram: ReceivedDatagram) => void): unknown
    holdOutput(): void
    resumeOutput(): void
  }): void {
    let held = false
    source.on('datagram', (datagram) => {
      this.write(datagram)
      if (held || this.stream.writableLength <= BACKLOG_BYTES) return
      held = true
      source.holdOutput()
      const resume = () => {
        this.stream.off('drain', resume).off('close', resume)
        held = false
        source.resumeOutput()
      }

      this.stream.on('drain', resume).on('close', resume)
    })
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
