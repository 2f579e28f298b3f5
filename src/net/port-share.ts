// Whether this process could bind UDP `port` beside whoever holds it (SO_REUSEADDR, as IPMsg clients on one host
// do): a bind and an immediate close, nothing sent. /proc names the holders but not whether they share.
import dgram from 'node:dgram'

export function canShareUdpPort(port: number, address = '0.0.0.0'): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({type: 'udp4', reuseAddr: true})
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.close()
      // Only "in use" answers the question; a permission error (a port below 1024) does not.
      resolve(error.code === 'EADDRINUSE' ? false : undefined)
    })
    socket.bind({port, address}, () => socket.close(() => resolve(true)))
  })
}
