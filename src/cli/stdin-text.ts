// The message read from stdin, only when the user asked for it (`announce -` or `--stdin`): oclif's own reading
// gives up after 10 ms, so a slow pipe became a discovery and a fast one swallowed a `while read` loop's input.
import {UsageError} from '../net/usage-error.js'

/** All of stdin as UTF-8 up to its end, without the line break(s) that end it (as `$(cat)` would drop them). */
export async function readStdinText(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/(?:\r?\n)+$/, '')
}

/** TEXT, or stdin when TEXT is "-" or --stdin says so; never stdin by surprise. */
export async function messageText(
  text: string | undefined,
  stdin: boolean,
  stream?: NodeJS.ReadableStream,
): Promise<string | undefined> {
  if (!stdin && text !== '-') return text
  if (stdin && text !== undefined && text !== '-') {
    throw new UsageError('give the message either as TEXT or on stdin (--stdin or "-"), not both')
  }

  // process.stdin is made only here: making it costs ~1.5 ms of every announce's start-up
  const message = await readStdinText(stream ?? process.stdin)
  if (message === '') throw new UsageError('stdin was empty: there is no message to send')
  return message
}
