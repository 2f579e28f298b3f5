// V8 settings for listen, which may run for days under floods (bench: memory). Its young generation stays at the
// size start-up left it (2 MiB semi-spaces; V8 doubles them up to 16 MiB under a high allocation rate, ~30 MiB of
// RSS), and V8 grows the old generation as it does for memory-constrained devices. Set at run time, as only listen
// wants them; both flags are read by V8 at each collection. Cost: ~5 % more CPU per datagram under floods.
import {setFlagsFromString} from 'node:v8'

const FLAGS = ['--semi-space-growth-factor=1', '--optimize-for-size']

/** Applies the settings, unless LANMSG_SMALL_HEAP=off (for measuring what they buy). */
export function keepListenHeapSmall(): void {
  if (process.env.LANMSG_SMALL_HEAP === 'off') return
  for (const flag of FLAGS) setFlagsFromString(flag)
}
