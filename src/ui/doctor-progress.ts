// Doctor's steps on stderr with listr2, each titled with what it found as it ends; stdout stays for the checklist.
import type {DoctorStep} from '../lan/doctor/doctor.js'

import {animationEnabled, colorEnabled} from './color.js'

/** Runs the steps in order under listr2; an error in one ends the run and is rethrown (one line from the command). */
export async function showDoctorProgress(steps: DoctorStep[]): Promise<void> {
  const listr2 = await import('listr2')
  const {Listr, ListrDefaultRendererLogLevels, ListrLogger, ListrLogLevels, ProcessOutput} = listr2
  const logger = () => new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)}) as any
  const uncoloured = (levels: object) =>
    colorEnabled(process.stderr) ? {} : {color: Object.fromEntries(Object.values(levels).map((l) => [l, String]))}
  let failure: unknown
  const tasks = new Listr(
    steps.map((step) => ({
      title: step.title,
      async task(_ctx: unknown, task: {title: string}) {
        try {
          task.title = `${step.title}: ${await step.run()}`
        } catch (error) {
          failure = error
          throw error
        }
      },
    })),
    {
      concurrent: false,
      exitOnError: true,
      registerSignalListeners: false,
      fallbackRendererCondition: !animationEnabled(process.stderr),
      rendererOptions: {logger: logger(), ...uncoloured(ListrDefaultRendererLogLevels)},
      fallbackRendererOptions: {logger: logger(), ...uncoloured(ListrLogLevels)},
    },
  )
  try {
    await tasks.run()
  } catch (error) {
    throw failure ?? error
  }
}
