import {expect} from 'chai'

import {animationEnabled, colorEnabled, paint} from '../../src/ui/color.js'

const tty = {isTTY: true as const}
const pipe = {isTTY: false as const}

describe('ui/color', () => {
  it('colours a terminal, never a pipe', () => {
    expect(colorEnabled(tty, {})).to.equal(true)
    expect(colorEnabled(pipe, {})).to.equal(false)
  })

  it('honours NO_COLOR unless it is empty', () => {
    expect(colorEnabled(tty, {NO_COLOR: '1'})).to.equal(false)
    expect(colorEnabled(tty, {NO_COLOR: 'anything'})).to.equal(false)
    expect(colorEnabled(tty, {NO_COLOR: ''})).to.equal(true)
  })

  it('honours FORCE_COLOR both ways, ahead of NO_COLOR and the TTY check', () => {
    expect(colorEnabled(tty, {FORCE_COLOR: '0'})).to.equal(false)
    expect(colorEnabled(tty, {FORCE_COLOR: 'false'})).to.equal(false)
    expect(colorEnabled(pipe, {FORCE_COLOR: '1'})).to.equal(true)
    expect(colorEnabled(pipe, {FORCE_COLOR: '1', NO_COLOR: '1'})).to.equal(true)
    expect(colorEnabled(pipe, {FORCE_COLOR: ''})).to.equal(false)
  })

  it('leaves a dumb terminal plain', () => {
    expect(colorEnabled(tty, {TERM: 'dumb'})).to.equal(false)
  })

  it('paints with SGR codes only when enabled', () => {
    const on = paint(true)
    expect(on.red('x')).to.equal('\u001B[31mx\u001B[39m')
    expect(on.green('x')).to.equal('\u001B[32mx\u001B[39m')
    expect(on.yellow('x')).to.equal('\u001B[33mx\u001B[39m')
    expect(on.cyan('x')).to.equal('\u001B[36mx\u001B[39m')
    expect(on.bold('x')).to.equal('\u001B[1mx\u001B[22m')
    expect(on.dim('x')).to.equal('\u001B[2mx\u001B[22m')
    const off = paint(false)
    for (const name of ['red', 'green', 'yellow', 'cyan', 'bold', 'dim'] as const) expect(off[name]('x')).to.equal('x')
  })

  it('animates only a terminal whose TERM can move the cursor', () => {
    expect(animationEnabled(tty, {TERM: 'xterm-256color'})).to.equal(true)
    expect(animationEnabled(tty, {TERM: 'dumb'})).to.equal(false)
    expect(animationEnabled(tty, {})).to.equal(false)
    expect(animationEnabled(pipe, {TERM: 'xterm'})).to.equal(false)
    // Colour is not animation: NO_COLOR keeps the spinner.
    expect(animationEnabled(tty, {TERM: 'xterm', NO_COLOR: '1'})).to.equal(true)
  })
})
