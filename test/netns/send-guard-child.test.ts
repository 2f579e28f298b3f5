// The network rule, for child processes: in the machine's own network namespace, `lanmsg announce --limited`
// started with guardedEnv() is refused by the send guard before anything leaves the machine.
import {expect} from 'chai'

import {makeStateDir, runCli} from '../support/run-cli.js'
import {inRootNetworkNamespace} from '../support/send-guard.js'

describe('send guard in a child process (machine namespace)', function () {
  this.timeout(30_000)
  const state = makeStateDir()
  after(() => state.remove())

  it('refuses announce hi --limited: non-zero exit, stderr names send-guard', async function () {
    if (!inRootNetworkNamespace()) this.skip()
    const run = await runCli(['announce', 'hi', '--limited', '--bind-port', '0', '--wait', '0'], {
      env: {LANMSG_STATE_DIR: state.dir},
    })
    expect(run.timedOut).to.equal(false)
    expect(run.code, run.stderr).not.to.equal(0)
    expect(run.stderr).to.match(/send-guard: refused to send UDP to 255\.255\.255\.255/)
  })
})
