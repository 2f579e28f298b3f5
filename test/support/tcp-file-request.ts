// A TCP 2425 conversation for the capture tests, run as `node -e` scripts inside simulated-LAN hosts: a server that
// reads and closes, and a client that sends one file request (GETFILEDATA) and then bytes that are not a request.
import {expect} from 'chai'

import {type Host, namespaceEnv, type SimulatedLan} from './netns.js'
import {waitUntil} from './wait-until.js'

/** Listens on TCP 2425, prints `ready`, and ends after its first connection closes (or after 20 s). */
export const TCP_SERVER = `
  const server = require('node:net').createServer((socket) => {
    socket.on('data', () => {})
    socket.on('end', () => { socket.end(); server.close() })
  })
  server.listen(2425, () => console.log('ready'))
  setTimeout(() => process.exit(1), 20000).unref()`

/** Connects to `address`:2425, writes `request`, then 100 bytes of file data (not shown by lanmsg), and closes. */
export function tcpClient(address: string, request: string): string {
  return `
    const socket = require('node:net').connect(2425, '${address}', () => {
      socket.write(${JSON.stringify(request)})
      setTimeout(() => socket.write(Buffer.alloc(100, 0x41)), 200) // not a request: file bytes, not shown
      setTimeout(() => socket.end(), 400)
    })
    socket.on('close', () => process.exit(0))
    setTimeout(() => process.exit(1), 10000).unref()`
}

/** `client` sends `request` to `server`'s TCP 2425 (as IP Messenger asks for a file); both have ended on return. */
export async function exchangeFileRequest(
  lan: SimulatedLan,
  client: Host,
  server: Host,
  request: string,
): Promise<void> {
  const listening = lan.exec(server, [process.execPath, '-e', TCP_SERVER], {env: namespaceEnv()})
  await waitUntil(() => listening.stdout.includes('ready'), 'the TCP server')
  const sending = lan.exec(client, [process.execPath, '-e', tcpClient(server.address, request)], {env: namespaceEnv()})
  expect((await sending.wait(15_000)).code, sending.describe()).to.equal(0)
  await listening.wait(15_000)
}
