import {expect} from 'chai'
import {PassThrough, Readable} from 'node:stream'

import {messageText, readStdinText} from '../../src/cli/stdin-text.js'
import {UsageError} from '../../src/net/usage-error.js'

/** A stdin that gives these chunks, then ends; `read` says whether anybody read it. */
function stdin(...chunks: Array<Buffer | string>) {
  const stream = Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)))
  let read = false
  stream.once('data', () => (read = true))
  stream.pause()
  return {stream, read: () => read}
}

describe('cli/stdin-text', () => {
  it('all of stdin as UTF-8, a character split between chunks whole, only the final line breaks dropped', async () => {
    const bytes = Buffer.from('你好\nworld\r\n\n')
    const text = await readStdinText(stdin(bytes.subarray(0, 2), bytes.subarray(2, 7), bytes.subarray(7)).stream)
    expect(text).to.equal('你好\nworld')
    expect(await readStdinText(stdin('\n  indented\n\nlast  ').stream)).to.equal('\n  indented\n\nlast  ')
  })

  it('TEXT is the message; stdin is read only for "-" or --stdin, never by surprise', async () => {
    const untouched = stdin('from stdin\n')
    expect(await messageText('hello', false, untouched.stream)).to.equal('hello')
    expect(await messageText(undefined, false, untouched.stream)).to.equal(undefined)
    expect(untouched.read()).to.equal(false)
    expect(await messageText('-', false, stdin('from stdin\n').stream)).to.equal('from stdin')
    expect(await messageText(undefined, true, stdin('piped').stream)).to.equal('piped')
    expect(await messageText('-', true, stdin('both say stdin').stream)).to.equal('both say stdin')
  })

  it('a TEXT given leaves process.stdin unmade (making it costs start-up time)', async () => {
    const original = Object.getOwnPropertyDescriptor(process, 'stdin')!
    let made = false
    Object.defineProperty(process, 'stdin', {
      ...original,
      get() {
        made = true
        return original.get!.call(process)
      },
    })
    try {
      expect(await messageText('hello', false)).to.equal('hello')
      expect(await messageText(undefined, false)).to.equal(undefined)
    } finally {
      Object.defineProperty(process, 'stdin', original)
    }

    expect(made).to.equal(false)
  })

  it('waits for a slow writer (oclif gave up after 10 ms) and reads to the end', async () => {
    const slow = new PassThrough()
    const text = messageText('-', false, slow)
    setTimeout(() => slow.write('late '), 50)
    setTimeout(() => slow.end('words\n'), 100)
    expect(await text).to.equal('late words')
  })

  it('TEXT and --stdin together, or an empty stdin, is a usage error', async () => {
    const both = await messageText('hello', true, stdin('x').stream).catch((error: unknown) => error)
    expect(both).to.be.instanceOf(UsageError)
    expect((both as Error).message).to.equal('give the message either as TEXT or on stdin (--stdin or "-"), not both')
    for (const empty of [[], ['\n\r\n']]) {
      const error = await messageText('-', false, stdin(...empty).stream).catch((error_: unknown) => error_)
      expect(error, JSON.stringify(empty)).to.be.instanceOf(UsageError)
      expect((error as Error).message).to.equal('stdin was empty: there is no message to send')
    }
  })
})
