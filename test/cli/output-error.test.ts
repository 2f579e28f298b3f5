import {expect} from 'chai'

import {OutputError} from '../../src/cli/output-error.js'

const errno = (code: string | undefined, message: string) => Object.assign(new Error(message), {code})

describe('cli/output-error', () => {
  it('says in words what failed on stdout, with the errno, and keeps the cause', () => {
    const full = errno('ENOSPC', 'write ENOSPC')
    const error = new OutputError(full)
    expect(error.message).to.equal('the output could not be written to stdout: no space left on device (ENOSPC)')
    expect(error).to.include({code: 'EOUTPUT', name: 'OutputError', cause: full})
    expect(new OutputError(errno('EIO', 'x')).message).to.match(
      /: input\/output error \(the terminal or device went away\) \(EIO\)$/,
    )
    expect(new OutputError(errno('EDQUOT', 'x')).message).to.match(/: disk quota exceeded \(EDQUOT\)$/)
    expect(new OutputError(errno('EFBIG', 'x')).message).to.match(/: file too large \(EFBIG\)$/)
  })

  it('an errno without words of its own keeps its message; no code, no parentheses', () => {
    expect(new OutputError(errno('EPIPE', 'write EPIPE')).message).to.equal(
      'the output could not be written to stdout: write EPIPE (EPIPE)',
    )
    expect(new OutputError(errno(undefined, 'stream destroyed')).message).to.equal(
      'the output could not be written to stdout: stream destroyed',
    )
  })
})
