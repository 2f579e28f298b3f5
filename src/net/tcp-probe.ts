// Whether a TCP port accepts a connection (IPMsg file transfer runs over TCP 2425): open, refused (a reset came
// back), or no answer at all within the time (a firewall that drops). The connection is closed at once.
import net from 'node:net'

export type TcpProbeOutcome = 'error' | 'open' | 'refused' | 'timeout' | 'unreachable'

export interface TcpProbeResult {
  outcome: TcpProbeOutcome
  ms: number
  /** The socket error's code, when it failed with one. */
  code?: string
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'])

export function probeTcp(address: string, port: number, timeoutMs: number): Promise<TcpProbeResult> {
  const started = Date.now()
  return new Promise((resolve) => {
    const socket = net.connect({host: address, port})
    const done = (outcome: TcpProbeOutcome, code?: string) => {
      clearTimeout(timer)
      socket.destroy()
      resolve({outcome, ms: Date.now() - started, ...(code === undefined ? {} : {code})})
    }

    const timer = setTimeout(() => done('timeout'), timeoutMs)
    socket.once('connect', () => done('open'))
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') done('refused', error.code)
      else if (UNREACHABLE.has(error.code ?? '')) done('unreachable', error.code)
      else done('error', error.code)
    })
  })
}
