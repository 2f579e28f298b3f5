// Root hooks for every mocha run: the network guard before any test opens a socket, and a fresh build of the
// CLI that the tests start as child processes.
import {ensureFreshBuild} from './cli-bin.js'
import {installSendGuard} from './send-guard.js'

installSendGuard()

export function mochaGlobalSetup(): void {
  ensureFreshBuild()
}
