// Socket and address failures as one line a person can act on; the cause stays attached for debugging.

/** Process exit codes for network failures (documented in the README). */
export const EXIT_CODES = {
  other: 1,
  usage: 2,
  addressInUse: 3,
  permission: 4,
  networkUnreachable: 5,
} as const

export class NetError extends Error {
  readonly code: string
  readonly exitCode: number

  constructor(message: string, code: string, exitCode: number = EXIT_CODES.other, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'NetError'
    this.code = code
    this.exitCode = exitCode
  }
}

export interface SocketErrorContext {
  action: 'bind' | 'resolve' | 'send'
  address?: string
  port?: number
  /** The command-line flag that chooses the port, named in the hint (e.g. `--port`). */
  portFlag?: string
}

/** A usage mistake in an address, target or interface name (exit code 2). */
export function usageError(message: string, code = 'EUSAGE'): NetError {
  return new NetError(message, code, EXIT_CODES.usage)
}

function where(context: SocketErrorContext): string {
  const address = context.address ?? (context.action === 'bind' ? '0.0.0.0' : 'the target')
  return context.port === undefined ? address : `${address}:${context.port}`
}

export function describeSocketError(err: NodeJS.ErrnoException, context: SocketErrorContext): NetError {
  const code = err.code ?? 'EUNKNOWN'
  const address = context.address ?? (context.action === 'bind' ? '0.0.0.0' : 'the target')
  const portText = context.port === undefined ? 'the UDP port' : `UDP port ${context.port}`
  const make = (message: string, exitCode: number) => new NetError(message, code, exitCode, {cause: err})

  switch (code) {
    case 'EADDRINUSE': {
      const hint = context.portFlag ? `choose another port with ${context.portFlag}` : 'choose another port'
      return make(
        `${portText} on ${address} is already in use by another program; stop it or ${hint}`,
        EXIT_CODES.addressInUse,
      )
    }

    case 'EACCES':
    case 'EPERM': {
      if (context.action === 'bind') {
        const lowPort = context.port !== undefined && context.port > 0 && context.port < 1024
        return make(
          lowPort
            ? `cannot use ${portText} on ${address}: ports below 1024 need root (administrator) rights; choose a port of 1024 or above${context.portFlag ? ` with ${context.portFlag}` : ''}`
            : `permission denied for ${portText} on ${address}; check firewall or security policy, or choose another port`,
          EXIT_CODES.permission,
        )
      }

      return make(
        `not permitted to send to ${where(context)}: broadcast is not allowed on this socket or a firewall blocks it; check the firewall rules or send to a single address`,
        EXIT_CODES.permission,
      )
    }

    case 'ENETUNREACH':
    case 'EHOSTUNREACH': {
      return make(
        `no route to ${address}: the network is unreachable from this machine; check that the network interface is up and connected, or choose another target`,
        EXIT_CODES.networkUnreachable,
      )
    }

    case 'EADDRNOTAVAIL': {
      return make(
        context.action === 'bind'
          ? `${address} is not an address of this machine; bind to 0.0.0.0 or to one of this machine's addresses`
          : `cannot send to ${where(context)}: the address is not available from this machine; check the target address`,
        EXIT_CODES.networkUnreachable,
      )
    }

    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_NODATA': {
      return make(
        `host name ${address} could not be resolved to an IPv4 address; check the spelling or give an IPv4 address`,
        EXIT_CODES.networkUnreachable,
      )
    }

    case 'EAI_AGAIN': {
      return make(
        `host name ${address} could not be resolved right now (name service unavailable); try again or give an IPv4 address`,
        EXIT_CODES.networkUnreachable,
      )
    }

    case 'EMSGSIZE': {
      return make(
        `the message to ${where(context)} is too large for one UDP datagram; shorten the message`,
        EXIT_CODES.other,
      )
    }

    default: {
      const verb =
        context.action === 'bind'
          ? `open ${portText} on ${address}`
          : context.action === 'send'
            ? `send to ${where(context)}`
            : `resolve ${address}`
      return make(`could not ${verb}: ${err.message}`, EXIT_CODES.other)
    }
  }
}
