// A TCP 2425 conversation for the capture tests, run as `node -e` scripts inside simulated-LAN hosts: a server that
// reads and closes, and a client that sends one file request (GETFILEDATA) and then bytes that are not a request.

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
