// A real iptux 0.8.3 configured for GBK (preference_encode gbk, as on a Chinese-locale desktop) with a Chinese
// nickname and group (issue 11, point 5): lanmsg shows its names and text right, and it shows lanmsg's text right.
import {expect} from 'chai'
import iconv from 'iconv-lite'

import {Iptux, useIptuxLan} from '../support/iptux.js'
import {type SimulatedLan} from '../support/netns.js'

const TUX = {nickname: '小企鹅', group: '研发部', encoding: 'gbk'}

describe('real iptux configured for GBK', function () {
  this.timeout(90_000)
  let lan: SimulatedLan
  let iptux: Iptux

  useIptuxLan(this, 3, TUX, (built, tux) => {
    lan = built
    iptux = tux
  })

  for (const args of [[], ['--encoding', 'gbk']]) {
    it(`announce ${args.join(' ') || '(default encoding)'} shows its GBK nickname and group right`, async () => {
      const proc = lan.cli(lan.hosts[1], ['announce', '--json', '--wait', '2s', ...args])
      const result = await proc.wait(30_000)
      expect(result.code, proc.describe()).to.equal(0)
      const report = JSON.parse(result.stdout)
      const answer = report.replies.find((r: any) => r.from.address === iptux.address && r.packet?.mode === 'ANSENTRY')
      expect(answer, proc.describe()).to.not.equal(undefined)
      // It really is GBK on the wire.
      expect(Buffer.from(answer.raw, 'base64').includes(iconv.encode(TUX.nickname, 'gbk'))).to.equal(true)
      const peer = report.peers.find((p: any) => p.address === iptux.address)
      expect(peer).to.include({nickname: TUX.nickname, group: TUX.group})
    })
  }

  it('its GBK message to listen --respond decodes right, acknowledged once', async () => {
    const me = lan.hosts[2]
    const hello = lan.cli(me, ['announce', 'hello', '--to', iptux.address, '--json', '--nick', 'Lan'])
    expect([0, 6], hello.describe()).to.include((await hello.wait(30_000)).code)
    await iptux.waitForWindow(new RegExp(` IP:${me.address.replaceAll('.', String.raw`\.`)}$`))
    const listen = lan.cli(me, ['listen', '--respond', '--ndjson', '--duration', '60s', '--nick', 'Lan'])
    await listen.waitBound(2425)
    const reply = '中文消息：你好'
    await iptux.say(me.address, reply)
    const fromIptux = (r: any) => r.from.address === iptux.address && r.packet?.mode === 'SENDMSG'
    await listen.waitForRecords(fromIptux, 1, 15_000, "iptux's message")
    await new Promise((resolve) => setTimeout(resolve, 3500)) // room for resends, had it not been acknowledged
    listen.kill('SIGINT')
    expect((await listen.wait(20_000)).code, listen.describe()).to.equal(0)
    const sends = listen.records().filter(fromIptux)
    expect(sends.length, listen.describe()).to.equal(1)
    expect(Buffer.from(sends[0].raw, 'base64').includes(iconv.encode(reply, 'gbk'))).to.equal(true)
    expect(sends[0].packet.text).to.equal(reply)
  })

  for (const args of [[], ['--encoding', 'gbk']]) {
    it(`it displays lanmsg's Chinese text right, under lanmsg's Chinese nickname (${args.join(' ') || 'default encoding'})`, async () => {
      const text = `中文测试${args.length > 0 ? '，GBK' : '，默认'}`
      const proc = lan.cli(lan.hosts[1], [
        'announce',
        text,
        '--to',
        iptux.address,
        '--json',
        '--nick',
        '测试员',
        ...args,
      ])
      const result = await proc.wait(30_000)
      const report = JSON.parse(result.stdout)
      const shown = await iptux
        .waitForChat((e) => e.direction === 'received' && e.text === text, 15_000, `display of ${text}`)
        .catch(() => undefined)
      // Reported together, so that a failure says what lanmsg claimed and what iptux showed.
      const [delivery] = report.deliveries ?? []
      const outcome = {
        code: result.code,
        delivered: delivery?.delivered,
        charset: delivery?.charset,
        shownAs: shown?.nickname,
      }
      // Without --encoding, UTF-8: iptux answers lanmsg's UTF-8 entry in UTF-8 (it writes to each peer as it reads).
      const charset = args.length > 0 ? 'gbk' : 'utf-8'
      expect(outcome, JSON.stringify(iptux.received())).to.deep.equal({
        code: 0,
        delivered: true,
        charset,
        shownAs: '测试员',
      })
    })
  }
})
