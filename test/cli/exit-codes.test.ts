// The one place where an error becomes an exit code: every kind raised below maps to the code the README documents.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {EXIT_CODES, exitCodeOf} from '../../src/cli/exit-codes.js'
import {OutputError} from '../../src/cli/output-error.js'
import {CaptureFileError} from '../../src/net/capture-file.js'
import {describeSocketError, NetError, type SocketErrorContext} from '../../src/net/net-error.js'
import {UsageError} from '../../src/net/usage-error.js'

function socketError(code: string, action: SocketErrorContext['action'] = 'send'): NetError {
  return describeSocketError(Object.assign(new Error(`${action} ${code}`), {code}), {action, port: 2425})
}

describe('cli/exit-codes', () => {
  it('has exactly the codes of the README table 0 to 10', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const table = readme.slice(readme.indexOf('## Exit codes'), readme.indexOf('## Firewalls'))
    const documented = [...table.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1])).filter((code) => code < 100)
    expect(Object.values(EXIT_CODES)).to.deep.equal(documented)
    expect(EXIT_CODES).to.include({other: 1, usage: 2, addressInUse: 3, permission: 4, networkUnreachable: 5})
  })

  it('a usage mistake is 2, from net (with a code) or from a flag (without)', () => {
    expect(exitCodeOf(new UsageError('--to x: not a valid IPv4 address', 'EINVALIDTARGET'))).to.equal(2)
    expect(exitCodeOf(new UsageError('stdin was empty: there is no message to send'))).to.equal(2)
  })

  it('a socket failure by its errno: in use 3, permission 4, unreachable or unresolved 5, anything else 1', () => {
    const expected: Array<[string, number]> = [
      ['EADDRINUSE', 3],
      ['EACCES', 4],
      ['EPERM', 4],
      ['ENETUNREACH', 5],
      ['EHOSTUNREACH', 5],
      ['EADDRNOTAVAIL', 5],
      ['ENOTFOUND', 5],
      ['EAI_NONAME', 5],
      ['EAI_NODATA', 5],
      ['EAI_AGAIN', 5],
      ['EMSGSIZE', 1],
      ['ECONNRESET', 1],
    ]
    for (const [code, exit] of expected) {
      for (const action of ['bind', 'send', 'resolve'] as const) {
        expect(exitCodeOf(socketError(code, action)), `${code} on ${action}`).to.equal(exit)
      }
    }
  })

  it("lanmsg's own kinds: another IPMsg client on the port 3; a closed socket or a name without IPv4 1", () => {
    expect(exitCodeOf(new NetError('iptux (pid 1) holds UDP port 2425', 'ESHAREDPORT'))).to.equal(3)
    expect(exitCodeOf(new NetError('the socket is already closed', 'ECLOSED'))).to.equal(1)
    expect(exitCodeOf(new NetError('did not resolve to an IPv4 address', 'ENOTIPV4'))).to.equal(1)
    expect(exitCodeOf(new NetError('odd', 'toString'))).to.equal(1)
  })

  it('stdout that failed is 8; oclif errors keep their own exit; anything else is 1', () => {
    expect(exitCodeOf(new OutputError(Object.assign(new Error('write ENOSPC'), {code: 'ENOSPC'})))).to.equal(8)
    expect(exitCodeOf(Object.assign(new Error('Parsing --port'), {oclif: {exit: 2}}))).to.equal(2)
    expect(exitCodeOf(Object.assign(new Error('EEXIT: 0'), {oclif: {exit: 0}}))).to.equal(0)
    expect(exitCodeOf(new Error('boom'))).to.equal(1)
    expect(exitCodeOf(new CaptureFileError('the capture file ends in the middle of a record', 3))).to.equal(9)
    // Only a NetError's code is a kind: an errno on any other error is not mapped.
    expect(exitCodeOf(Object.assign(new Error('open EACCES'), {code: 'EACCES'}))).to.equal(1)
  })
})
