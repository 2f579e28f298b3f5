import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {resolveTargets} from '../../src/cli/resolve-targets.js'
import {UsageError} from '../../src/net/usage-error.js'
import {runCli} from '../support/run-cli.js'

describe('--to @FILE (a dial-up list)', () => {
  let dir: string
  const file = (name: string, text: string) => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }

  const resolve = (to: string[]) => resolveTargets({to, port: 2425, warn() {}})
  const refused = async (to: string[]): Promise<UsageError> => {
    try {
      await resolve(to)
    } catch (error) {
      expect(error).to.be.instanceOf(UsageError)
      return error as UsageError
    }

    throw new Error(`${to.join(' ')} was accepted`)
  }

  before(() => (dir = mkdtempSync(join(tmpdir(), 'lanmsg-targets-'))))
  after(() => rmSync(dir, {force: true, recursive: true}))

  it('reads one target a line: addresses, CIDRs (their broadcast); # comments and blank lines skipped', async () => {
    const list = file('office.txt', '# branch office\n10.1.2.3\n\n  10.1.9.0/24   # printers\r\n127.0.0.1\n')
    const targets = await resolve([`@${list}`, '10.1.2.3'])
    expect(targets.map((t) => `${t.address} ${t.kind}`)).to.deep.equal([
      '10.1.2.3 unicast',
      '10.1.9.255 unicast',
      '127.0.0.1 unicast',
    ])
  })

  it('a wrong line is named by its number, with what is wrong with it', async () => {
    const list = file('typo.txt', '10.1.2.3\n# fine so far\n10.1.2.300\n')
    const error = await refused([`@${list}`])
    expect(error.message).to.equal(
      `--to @${list}, line 3 (10.1.2.300): not a valid IPv4 address or CIDR (e.g. 192.168.1.255 or 192.168.1.0/24)`,
    )
  })

  it('a missing file, an empty list or a huge file is one clear line', async () => {
    expect((await refused([`@${join(dir, 'nope.txt')}`])).message).to.match(
      /nope\.txt: cannot read the target list: no such file$/,
    )
    expect((await refused([`@${file('empty.txt', '# nobody\n\n')}`])).message).to.match(/names no target$/)
    expect((await refused([`@${file('big.txt', '#'.repeat(1024 * 1024 + 1))}`])).message).to.match(/at most 1 MiB/)
  })

  it('on the command line: exit 2 and the line, nothing sent', async () => {
    const list = file('bad.txt', '127.0.0.1\n\nprinter..local\n')
    const run = await runCli(['announce', '--to', `@${list}`, '--wait', '0'])
    expect(run.code).to.equal(2)
    expect(run.stderr).to.include(`--to @${list}, line 3 (printer..local): not a valid IPv4 address, CIDR or host name`)
    expect(run.stderr).not.to.match(/at .*\.js:\d+/) // no stack trace
  })
})
