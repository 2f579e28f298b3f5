// Socket and address failures as one line a person can act on; the cause stays attached for debugging. A NetError
// says what kind of failure it was by its `code` (the errno, e.g. EADDRINUSE, or lanmsg's own, e.g. ECLOSED); the
// command turns the kind into an exit code (cli/exit-codes.ts). A mistake in an address is a UsageError.

export class NetError extends Error {
  readonly code: string

  constructor(message: string, code: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'NetError'
    this.code = code
  }
}

export interface SocketErrorContext {
  action: 'bind' | 'resolve' | 'send'
  address?: string
  port?: number
  /** The command-line flag that chooses the port, named in the hint (e.g. `--port`). */
  portFlag?: string
}

function where(context: SocketErrorContext): string {
  const address = context.address ?? (context.action === 'bind' ? '0.0.0.0' : 'the target')
  return context.port === undefined ? address : `${address}:${context.port}`
}

// eslint-disable-next-line complexity, max-lines-per-function -- one case per errno: a flat table of messages
export function describeSocketError(err: NodeJS.ErrnoException, context: SocketErrorContext): NetError {
  const code = err.code ?? 'EUNKNOWN'
  const address = context.address ?? (context.action === 'bind' ? '0.0.0.0' : 'the target')
  const portText = context.port === undefined ? 'the UDP port' : `UDP port ${context.port}`
  const make = (message: string) => new NetError(message, code, {cause: err})

  switch (code) {
    case 'EADDRINUSE': {
      const hint = context.portFlag ? `choose another port with ${context.portFlag}` : 'choose another port'
      return make(`${portText} on ${address} is already in use by another program; stop it or ${hint}`)
    }

    case 'EACCES':
    case 'EPERM': {
      if (context.action === 'bind') {
        const lowPort = context.port !== undefined && context.port > 0 && context.port < 1024
        return make(
          lowPort
            ? `cannot use ${portText} on ${address}: ports below 1024 need root (administrator) rights; choose a port of 1024 or above${context.portFlag ? ` with ${context.portFlag}` : ''}`
            : `permission denied for ${portText} on ${address}; check firewall or security policy, or choose another port`,
        )
      }

      return make(
        `not permitted to send to ${where(context)}: broadcast is not allowed on this socket or a firewall blocks it; check the firewall rules or send to a single address`,
      )
    }

    case 'ENETUNREACH':
    case 'EHOSTUNREACH': {
      return make(
        `no route to ${address}: the network is unreachable from this machine; check that the network interface is up and connected, or choose another target`,
      )
    }

    case 'EADDRNOTAVAIL': {
      return make(
        context.action === 'bind'
          ? `${address} is not an address of this machine; bind to 0.0.0.0 or to one of this machine's addresses`
          : `cannot send to ${where(context)}: the address is not available from this machine; check the target address`,
      )
    }

    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_NODATA': {
      return make(
        `host name ${address} could not be resolved to an IPv4 address; check the spelling or give an IPv4 address`,
      )
    }

    case 'EAI_AGAIN': {
      return make(
        `host name ${address} could not be resolved right now (name service unavailable); try again or give an IPv4 address`,
      )
    }

    case 'EMSGSIZE': {
      return make(`the message to ${where(context)} is too large for one UDP datagram; shorten the message`)
    }

    default: {
      const verb =
        context.action === 'bind'
          ? `open ${portText} on ${address}`
          : context.action === 'send'
            ? `send to ${where(context)}`
            : `resolve ${address}`
      return make(`could not ${verb}: ${err.message}`)
    }
  }
}
