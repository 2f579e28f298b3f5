// lanmsg's messages as a real iptux 0.8.3 displays them (issue 11, points 2, 4, 5, 6), judged by iptux's chat log:
// what iptux shows, not what lanmsg believes. Each test talks from its own host, so iptux keeps per-pal state
// (charset guess, last packet number) apart.
import {expect} from 'chai'

import {type ChatEntry, Iptux, useIptuxLan} from '../support/iptux.js'
import {type Host, type SimulatedLan} from '../support/netns.js'

describe('real iptux: what it displays of lanmsg messages', function () {
  this.timeout(90_000)
  let lan: SimulatedLan
  let iptux: Iptux

  useIptuxLan(this, 7, {nickname: 'Tux', group: 'Penguins'}, (built, tux) => {
    lan = built
    iptux = tux
  })

  interface Sent {
    code: null | number
    delivered: boolean | undefined
    report: any
    stderr: string
  }

  /** `announce TEXT --to iptux --json` from a host; what lanmsg reported. */
  async function announce(from: Host, text: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Sent> {
    const proc = lan.cli(from, ['announce', text, '--to', iptux.address, '--json', ...args], {env})
    const result = await proc.wait(30_000)
    const report = JSON.parse(result.stdout)
    return {code: result.code, delivered: report.deliveries?.[0]?.delivered, report, stderr: result.stderr}
  }

  /** The chat entry iptux displayed with exactly this text (iptux under load logs it seconds late); undefined if none came. */
  async function displayed(text: string, timeoutMs = 10_000): Promise<ChatEntry | undefined> {
    return iptux
      .waitForChat((e) => e.direction === 'received' && e.text === text, timeoutMs, `display of ${text.slice(0, 40)}`)
      .catch(() => undefined)
  }

  /** Everything iptux displayed so far (for failure messages). */
  function shown(): string[] {
    return iptux.received().map((e) => `${e.nickname}: ${e.text.slice(0, 80)}`)
  }

  it("shows lanmsg's message under lanmsg's nickname, not as from 'mysterious' (point 2)", async () => {
    const text = 'Lunch at noon?'
    const sent = await announce(lan.hosts[1], text, ['--nick', 'Bob Lanmsg', '--group', 'Ops'])
    expect(sent.code, sent.stderr).to.equal(0)
    expect(sent.delivered).to.equal(true)
    const entry = await displayed(text)
    expect(entry, JSON.stringify(shown())).to.not.equal(undefined)
    expect(entry!.nickname).to.equal('Bob Lanmsg')
  })

  it('"delivered" only when iptux displayed it: runs, a second account on the same PC, no state (point 4)', async () => {
    const pc = lan.hosts[2]
    const runs = [
      {text: 'run 1, account A', user: 'anna', stateDir: `${pc.stateDir}/anna`},
      {text: 'run 2, account B', user: 'bert', stateDir: `${pc.stateDir}/bert`},
      {text: 'run 3, account A again', user: 'anna', stateDir: `${pc.stateDir}/anna`},
      {text: 'run 4, state dir unwritable', user: 'anna', stateDir: '/dev/null/lanmsg-state'},
    ]
    const outcomes = []
    for (const run of runs) {
      const sent = await announce(pc, run.text, ['--user', run.user, '--nick', run.user], {
        LANMSG_STATE_DIR: run.stateDir,
      })
      expect(sent.code, `${run.text}: ${sent.stderr}`).to.be.oneOf([0, 6])
      outcomes.push({text: run.text, delivered: sent.delivered, displayed: (await displayed(run.text)) !== undefined})
    }

    // What lanmsg reports must be what iptux shows: delivered iff displayed; and here every one can be shown.
    expect(outcomes).to.deep.equal(runs.map((run) => ({text: run.text, delivered: true, displayed: true})))
  })

  it('GBK, then UTF-8, then GBK: each displayed right (point 5)', async () => {
    const from = lan.hosts[3]
    const messages = [
      {text: '你好，这是GBK消息', args: ['--encoding', 'gbk']},
      {text: '你好，这是UTF-8消息', args: []},
      {text: '再见，又是GBK', args: ['--encoding', 'gbk']},
    ]
    for (const m of messages) {
      const sent = await announce(from, m.text, ['--nick', 'Mixer', ...m.args])
      expect(sent.code, sent.stderr).to.equal(0)
      expect(await displayed(m.text), `${m.text}: shown ${JSON.stringify(shown())}`).to.not.equal(undefined)
    }
  })

  it('UTF-8, then GBK: each displayed right (point 5)', async () => {
    const from = lan.hosts[4]
    for (const m of [
      {text: '早上好（UTF-8）', args: []},
      {text: '晚上好（GBK）', args: ['--encoding', 'gbk']},
    ]) {
      const sent = await announce(from, m.text, ['--nick', 'Mixer2', ...m.args])
      expect(sent.code, sent.stderr).to.equal(0)
      expect(await displayed(m.text), `${m.text}: shown ${JSON.stringify(shown())}`).to.not.equal(undefined)
    }
  })

  // Two names: iptux guesses a sender's charset from the whole entry packet, so what works can depend on the name.
  for (const [n, nick] of ['老王', '测试员'].entries()) {
    it(`a GBK message from the nickname ${nick}: delivered, displayed right, under that nickname (points 2, 5)`, async () => {
      const text = `你好，我是${nick}`
      const sent = await announce(lan.hosts[5 + n], text, ['--encoding', 'gbk', '--nick', nick, '--group', '财务部'])
      const entry = await displayed(text)
      const outcome = {code: sent.code, delivered: sent.delivered, shownAs: entry?.nickname}
      expect(outcome, JSON.stringify(shown())).to.deep.equal({code: 0, delivered: true, shownAs: nick})
    })
  }

  it('a long GBK message is displayed whole, or refused (point 6)', async () => {
    // 4,000 characters, 8,000 bytes of GBK: under lanmsg's 8191-byte limit, but 12,000 bytes once iptux has
    // converted it to UTF-8 into its 8 KiB buffer.
    const text = '长消息测试'.repeat(800)
    const sent = await announce(lan.hosts[1], text, ['--encoding', 'gbk', '--nick', 'Bob Lanmsg'])
    if (sent.code === 0) {
      expect(sent.delivered).to.equal(true)
      const entry = await displayed(text)
      const lengths = iptux.received().map((e) => e.text.length)
      expect(entry, `lanmsg said delivered; iptux shows messages of ${lengths.join(', ')} characters`).to.not.equal(
        undefined,
      )
    } else {
      // Refused before sending, as for lanmsg's own size limit: one line, exit code 2, nothing shown.
      expect(sent.code, sent.stderr).to.equal(2)
      expect(sent.report.error.message).to.be.a('string')
      expect(iptux.received().filter((e) => e.text.startsWith('长消息测试'))).to.deep.equal([])
    }
  })
})
