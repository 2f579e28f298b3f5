// Progress of an announce on stderr with listr2: opening the port, sending, waiting with a countdown and a
// running count of replies. stdout stays for the table or the JSON document.
import type {Announcer, AnnounceResult, SweepPlan} from '../lan/announce.js'

import {animationEnabled, colorEnabled} from './color.js'
import {formatDuration} from './duration-text.js'

export interface ProgressOptions {
  targets: number
  /** --sweep: a bar with the count and the time left while the ranges are probed. */
  sweep?: SweepPlan
  /** Warn in one line when the port fell back to an ephemeral one. */
  warn: (message: string) => void
  /** The signal that cut the wait short, if one did. */
  interrupted?: () => string | undefined
}

const SIGNAL_NAMES: Record<string, string> = {SIGHUP: 'hangup', SIGINT: 'Ctrl-C', SIGTERM: 'SIGTERM'}

/** The last title of the wait: what was collected, and what cut the wait short if a signal did. */
function collectedTitle(collected: string, signal: string | undefined): string {
  return signal ? `Stopped by ${SIGNAL_NAMES[signal] ?? signal}: collected ${collected}` : `Collected ${collected}`
}

function settled(promise: Promise<unknown>): Promise<void> {
  return promise.then(
    () => {},
    () => {},
  )
}

/**
 * Both renderers write through a logger whose "stdout" is stderr: stdout is kept for the result. The spinner and its
 * cursor movement need stderr to be a capable terminal; colour is decided from stderr too (listr2's own choice
 * looks at stdout).
 */
function rendererOptions(listr2: typeof import('listr2')) {
  const {ListrDefaultRendererLogLevels, ListrLogger, ListrLogLevels, ProcessOutput} = listr2
  const logger = () => new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)}) as any
  const uncoloured = (levels: object) =>
    colorEnabled(process.stderr) ? {} : {color: Object.fromEntries(Object.values(levels).map((l) => [l, String]))}
  return {
    fallbackRendererCondition: !animationEnabled(process.stderr),
    rendererOptions: {logger: logger(), ...uncoloured(ListrDefaultRendererLogLevels)},
    fallbackRendererOptions: {logger: logger(), ...uncoloured(ListrLogLevels)},
  }
}

const BAR_WIDTH = 20

/** `[#####---------------] 1,234/65,534 (1%), 10m 22s left`: ASCII, so any terminal shows it. */
export function sweepTitle(sent: number, total: number, rate: number, peers: number): string {
  const fraction = total === 0 ? 1 : sent / total
  const filled = Math.floor(fraction * BAR_WIDTH)
  const left = formatDuration(Math.ceil(((total - sent) * 1000) / rate / 1000) * 1000)
  const n = (value: number) => value.toLocaleString('en-US')
  return `Sweeping [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${n(sent)}/${n(total)} (${Math.floor(fraction * 100)}%), ${left} left, ${peers} peer${peers === 1 ? '' : 's'}`
}

/** The sweep's task: the bar until the last probe went (or the run was stopped). */
function sweepTask(announcer: Announcer, plan: SweepPlan, done: Promise<void>, peers: () => number) {
  let sent = 0
  let total = 0
  const ended = new Promise<void>((resolve) => {
    announcer.on('swept', (count, all, last) => {
      sent = count
      total = all
      if (last) resolve()
    })
    done.then(resolve)
  })
  return {
    title: `Sweeping ${plan.ranges.map((r) => r.spec).join(', ')} at ${plan.rate}/s`,
    async task(_ctx: unknown, task: {title: string}) {
      const timer = setInterval(() => (task.title = sweepTitle(sent, total, plan.rate, peers())), 200)
      await ended
      clearInterval(timer)
      task.title = `Swept ${sent.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} addresses, ${peers()} peer${peers() === 1 ? '' : 's'} so far`
    },
  }
}

/** Runs `run` while listr2 renders its progress on stderr; resolves or rejects with run's outcome. */
// eslint-disable-next-line max-lines-per-function -- one listr2 task list, the tasks in the order they show
export async function showAnnounceProgress(
  announcer: Announcer,
  run: Promise<AnnounceResult>,
  options: ProgressOptions,
): Promise<AnnounceResult> {
  const done = settled(run)
  let failed = false
  run.catch(() => (failed = true))
  const bound = new Promise<{fellBack: boolean; port: number} | undefined>((resolve) => {
    announcer.once('bound', resolve)
    done.then(() => resolve(undefined))
  })
  const firstWait = new Promise<number | undefined>((resolve) => {
    announcer.once('waiting', resolve)
    done.then(() => resolve(undefined))
  })
  let replies = 0
  const peers = new Set<string>()
  announcer.on('reply', (reply) => {
    if (!reply.duplicate) replies++
    peers.add(`${reply.from.address}:${reply.from.port}`)
  })
  let sends = 0
  announcer.on('sent', () => sends++)

  const listr2 = await import('listr2')
  const {Listr} = listr2
  // Nothing is drawn until the socket is bound: a port in use or a bad address ends as one error line.
  const local = await bound
  if (!local) return run
  if (local.fellBack) {
    options.warn(
      `port 2425 is in use, so replies go to ephemeral port ${local.port}: iptux and Feiqiu answer to 2425 and their replies will not be seen (free the port or use --bind-port)`,
    )
  }

  const sending = options.targets > 0 || !options.sweep
  const tasks = new Listr(
    [
      {
        title: `Listening on UDP port ${local.port}`,
        async task() {},
      },
      ...(options.sweep ? [sweepTask(announcer, options.sweep, done, () => peers.size)] : []),
      {
        enabled: sending,
        title: `Sending to ${options.targets} target${options.targets === 1 ? '' : 's'}`,
        async task(_ctx, task) {
          await firstWait
          if (failed) return task.skip('Sending failed')
          task.title = `Sent ${sends} datagram${sends === 1 ? '' : 's'} to ${options.targets} target${options.targets === 1 ? '' : 's'}`
        },
      },
      {
        title: 'Waiting for replies',
        async task(_ctx, task) {
          let until = (await firstWait) ?? Date.now()
          announcer.on('waiting', (next) => (until = next))
          const describe = () =>
            `${replies} repl${replies === 1 ? 'y' : 'ies'} from ${peers.size} peer${peers.size === 1 ? '' : 's'}`
          const timer = setInterval(() => {
            task.title = `Waiting for replies: ${formatDuration(Math.max(0, until - Date.now()))} left, ${describe()}`
          }, 100)
          await done
          clearInterval(timer)
          if (failed) return task.skip('Waiting: stopped')
          task.title = collectedTitle(describe(), options.interrupted?.())
        },
      },
    ],
    {
      concurrent: false,
      exitOnError: false,
      registerSignalListeners: false,
      ...rendererOptions(listr2),
    },
  )
  await tasks.run()
  return run
}
