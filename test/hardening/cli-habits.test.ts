// The habits of a well-made oclif CLI (issue 12, "fit the habits"): -h for help, "did you mean" for a mistyped
// command (@oclif/plugin-not-found; in a real terminal it asks), shell completion (@oclif/plugin-autocomplete).
// Nothing here sends a datagram: the mistyped command is declined at the prompt.
import {expect} from 'chai'

import {makeStateDir, nonEmptyLines, runCli} from '../support/hostile.js'
import {Terminal, tmuxSkipReason} from '../support/terminal.js'

describe('hardening: CLI habits', function () {
  this.timeout(40_000)
  let state: ReturnType<typeof makeStateDir>
  let terminal: Terminal | undefined
  beforeEach(() => {
    state = makeStateDir()
  })
  afterEach(() => {
    terminal?.close()
    terminal = undefined
    state.remove()
  })

  it('-h prints the help, like --help (lanmsg -h, announce -h, listen -h)', async () => {
    for (const args of [['-h'], ['announce', '-h'], ['listen', '-h']]) {
      const [short, long] = await Promise.all([runCli(args), runCli([...args.slice(0, -1), '--help'])])
      expect(short.code, short.stderr).to.equal(0)
      expect(short.stdout).to.match(/USAGE/)
      expect(short.stdout).to.equal(long.stdout)
    }
  })

  it('a mistyped command in a terminal: "Did you mean announce?"; declined, exit 127 and nothing run', async function () {
    if (tmuxSkipReason()) this.skip()
    terminal = Terminal.start(['announc'], {env: {LANMSG_STATE_DIR: state.dir}})
    await terminal.waitFor(/announc is not a lanmsg command[\s\S]*Did you mean announce\?/, 20_000)
    terminal.sendKeys('n', 'Enter')
    expect(await terminal.exited(10_000)).to.deep.equal({code: 127, signal: null})
    expect(terminal.screen()).to.match(/Run lanmsg help for a list of available commands/)
  })

  it('a mistyped command from a script: exit 127 and a pointer to the help, no prompt', async () => {
    const exit = await runCli(['lisen'])
    expect(exit.code).to.equal(127)
    expect(nonEmptyLines(exit.stderr).join('\n')).to.match(/lisen is not a lanmsg command[\s\S]*lanmsg help/)
  })

  it('shell completion: `autocomplete script bash` prints a script that completes lanmsg', async () => {
    const exit = await runCli(['autocomplete', 'script', 'bash'], {env: {LANMSG_CACHE_DIR: state.dir}})
    expect(exit.code, exit.stderr).to.equal(0)
    expect(exit.stdout).to.match(/LANMSG_AC_BASH_SETUP_PATH/)
  })
})
