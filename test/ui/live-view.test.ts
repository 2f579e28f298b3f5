import {expect} from 'chai'

import {LiveView} from '../../src/ui/live-view.js'

/** A terminal-sized stream that records what is written (the real terminal is in test/hardening/terminal-screen). */
function fakeTerminal(columns: number, rows: number) {
  const writes: string[] = []
  const stream = {columns, rows, write: (s: string) => writes.push(s) > 0, once: () => stream}
  return {stream: stream as unknown as NodeJS.WriteStream, writes}
}

describe('ui/live-view', () => {
  it('draws at most one frame per interval, however many changes come', async () => {
    const {stream, writes} = fakeTerminal(80, 24)
    let renders = 0
    const view = new LiveView(stream, () => `frame ${++renders}`, {intervalMs: 100})
    for (let i = 0; i < 1000; i++) view.update()
    expect(writes).to.have.lengthOf(1) // the first change is drawn at once, the rest wait for the interval
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(writes).to.have.lengthOf(2)
    expect(renders).to.equal(2)
    view.finish('done')
    expect(writes.at(-1)).to.match(/^\r\u001B\[1Adone\u001B\[K\n\u001B\[J$/)
  })

  it('never draws a frame taller than the screen, counting wrapped lines', () => {
    const {stream, writes} = fakeTerminal(10, 6)
    const lines = Array.from({length: 20}, (_, i) => `${i}`.padEnd(25, '.')) // each wraps onto 3 rows
    const view = new LiveView(stream, () => lines.join('\n'))
    view.update()
    const frame = writes[0].replace(/\u001B\[[\d;]*[A-Za-z]/g, '').replace(/\r/g, '')
    expect(frame.split('\n').filter(Boolean)).to.have.lengthOf(1) // 5 rows available: one 3-row line fits
  })
})
