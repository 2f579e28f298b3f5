// The network rule for tests (see send-guard-core.mjs), and the environment that carries it into children.
import {fileURLToPath} from 'node:url'

export {inRootNetworkNamespace, installSendGuard, isLoopbackDestination} from './send-guard-core.mjs'

/** Environment for a child process so that the same guard runs inside it (plain JS: no loader needed). */
export function guardedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const install = fileURLToPath(new URL('send-guard-install.mjs', import.meta.url))
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', `--import ${install}`].join(' ').trim()
  return {...process.env, ...extra, NODE_OPTIONS: nodeOptions}
}
