import {expect} from 'chai'

import {oneLine} from '../../src/cli/base-command.js'

describe('cli/base-command oneLine', () => {
  it('an error becomes one line: oclif’s help trailer dropped, its "Parsing --flag" split joined', () => {
    expect(oneLine('--port: expected a number\nSee more help with --help')).to.equal('--port: expected a number')
    expect(oneLine('Parsing --port \n\texpected a UDP port number from 1 to 65535, got "x"')).to.equal(
      '--port: expected a UDP port number from 1 to 65535, got "x"',
    )
    expect(oneLine('  first\n\n  second  \n')).to.equal('first second')
  })

  it('an empty message still says something', () => {
    expect(oneLine('')).to.equal('unknown error')
    expect(oneLine('\nSee more help with --help\n')).to.equal('unknown error')
  })
})
