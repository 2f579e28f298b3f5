// The two ways `listen` runs, each from its flags to its end: a live socket (a session, until a signal, --duration
// or --count) and a capture file (a replay, until the file ends). The command hands over its flags and the hooks it
// keeps (warnings, the view it made, what to clean up); the output modes live in ui/listen-output.ts.
import type {CaptureReplay} from '../lan/capture-replay.js'
import type {ListenFlags} from './listen-plan.js'

import {ListenSession} from '../lan/listen-session.js'
import {LiveCaptureSession} from '../lan/live-capture-session.js'
import {buildDatagramFilter} from './datagram-filter.js'
import {openCapture, openPcap, type ReadFlags, readToEnd} from './capture-input.js'
import {planListen} from './listen-plan.js'
import {OutputError} from './output-error.js'
import {sharedPortWarning} from './shared-port.js'
import {onStopSignal} from './stop-signals.js'

/** Where a run's datagrams are shown (ui/listen-output.ts); `done` ends the run (--count, stdout closed). */
export interface ListenView {
  attach(source: CaptureReplay | ListenSession | LiveCaptureSession): void
  finish(source: CaptureReplay | ListenSession | LiveCaptureSession): Promise<void>
  readonly failure: NodeJS.ErrnoException | undefined
}

/** What the command keeps of a run: where warnings go, the view (its --json document), the cleanup it runs. */
export interface ListenHooks {
  version: string
  warn(message: string): void
  /** A line on stderr that is not a warning (none with --json). */
  info(message: string): void
  /** `destinations`: rows have a TO column (a capture's datagrams have both ends). */
  view(options: {destinations?: boolean}, done: () => void): ListenView
  cleanup(stop: () => Promise<void>): void
}

type OutputFlags = {duration?: number; write?: string}

/** A run's end: resolved by finish() (a signal, --count, an error), or after `durationMs` when given. */
function runEnd(): {finish: () => void; until: (durationMs?: number) => Promise<void>} {
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => (finish = resolve))
  const until = async (durationMs?: number) => {
    const timer = durationMs === undefined ? undefined : setTimeout(finish, durationMs)
    await finished
    clearTimeout(timer)
  }

  return {finish: () => finish(), until}
}

type Source = CaptureReplay | ListenSession | LiveCaptureSession

/** The view's last words and the pcap file closed; a failure of either is the command's error (exit 8). */
async function closeOutputs(
  output: ListenView,
  source: Source,
  file: {close(): Promise<void>; failure?: NodeJS.ErrnoException} | undefined,
  write?: string,
) {
  await output.finish(source)
  await file?.close()
  OutputError.throwIf(output.failure, file?.failure, write)
}

/** listen on a socket: bound, announced (--respond), shown until a stop signal, --duration or --count. */
export async function listenLive(flags: ListenFlags & OutputFlags, hooks: ListenHooks): Promise<void> {
  const options = await planListen(flags, {version: hooks.version, warn: hooks.warn})
  const file = await openPcap(flags.write, {address: flags.address, port: options.port})

  const {finish, until} = runEnd()
  // Handled from the start: a signal that came between the bind and the end of announce() killed the process
  // (no summary, no BR_EXIT) when these were installed after it. Every stop signal ends listen normally (exit 0).
  const signals = onStopSignal(() => finish())
  const output = hooks.view({}, () => finish())
  const session = await ListenSession.start(options).catch((error: unknown) => {
    signals.remove() // the bind failed: the error is the outcome, a signal may end the process again
    throw error
  })
  // From here on the socket is open: whatever happens (an error included), it is closed and BR_EXIT sent.
  hooks.cleanup(async () => {
    signals.remove()
    await session.stop()
  })

  output.attach(session) // every listener right after the socket opens, before anything can arrive
  file?.follow(session)
  session.on('warning', hooks.warn)
  session.on('error', (error) => {
    hooks.warn(error.message)
    finish()
  })
  // Once bound (a port that cannot be shared is an error instead); our own socket is left out.
  const shared = sharedPortWarning(options.port, flags.address)
  if (shared) hooks.warn(shared)

  await session.announce()
  await until(flags.duration)
  await session.stop()
  await closeOutputs(output, session, file, flags.write)
}

/** --read: the capture's datagrams through the same output, until the file ends (or --count, a signal). */
export async function replayCapture(flags: ReadFlags & OutputFlags, hooks: ListenHooks): Promise<void> {
  const {replay, input, name, file} = await openCapture(flags)
  const output = hooks.view({destinations: true}, () => replay.stop())
  output.attach(replay)
  file?.follow(replay)
  await readToEnd(replay, input, name, flags.duration).finally(() => file?.close())
  await closeOutputs(output, replay, file, flags.write)
}

/** --capture IFACE: what the interface sees on the ports, as it arrives, until a stop signal, --duration or --count. */
export async function captureLive(
  flags: Omit<ReadFlags, 'read'> & OutputFlags & {capture: string},
  hooks: ListenHooks,
): Promise<void> {
  const file = await openPcap(flags.write)
  const session = new LiveCaptureSession(flags.capture, {
    ports: flags.port,
    decodeOptions: flags.encoding === undefined ? {} : {legacyCharset: flags.encoding},
    filter: buildDatagramFilter({from: flags.from, mode: flags.mode, ipmsgOnly: flags['ipmsg-only']}),
    expireMs: flags.expire,
  })
  const {finish, until} = runEnd()
  const signals = onStopSignal(() => finish())
  hooks.cleanup(async () => {
    signals.remove()
    session.stop()
  })
  const output = hooks.view({destinations: true}, () => finish())
  output.attach(session)
  file?.follow(session)
  session.on('error', (error) => {
    hooks.warn(error.message)
    finish()
  })
  // As tcpdump says "listening on": from here on nothing the interface sees on the ports is missed.
  hooks.info(`capturing on ${flags.capture}, UDP and TCP port ${flags.port.join(', ')} and IP fragments`)
  await until(flags.duration)
  await session.finish()
  await closeOutputs(output, session, file, flags.write)
}
