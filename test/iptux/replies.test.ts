// A real iptux 0.8.3 talking to `lanmsg listen --respond` (issue 11, point 5 and the acks): a user types an answer
// in iptux's chat window; lanmsg must decode it as iptux meant it and acknowledge it, so iptux sends it only once
// (it resends every second, up to 4 times, until a RECVMSG arrives).
import {expect} from 'chai'
import iconv from 'iconv-lite'

import {Iptux, useIptuxLan} from '../support/iptux.js'
import {type Host, type NetnsProcess, type SimulatedLan} from '../support/netns.js'

describe('real iptux: its messages to lanmsg listen --respond', function () {
  this.timeout(90_000)
  let lan: SimulatedLan
  let iptux: Iptux

  useIptuxLan(this, 3, {nickname: 'Tux', group: 'Penguins'}, (built, tux) => {
    lan = built
    iptux = tux
  })

  /** A message from this host opens iptux's chat window for it (open_chat); waits until iptux displayed it. */
  async function openChat(from: Host, text: string, args: string[] = []): Promise<void> {
    const proc = lan.cli(from, ['announce', text, '--to', iptux.address, '--json', '--wait', '2s', ...args])
    const result = await proc.wait(30_000)
    expect([0, 6], proc.describe()).to.include(result.code)
    await iptux.waitForWindow(new RegExp(` IP:${from.address.replaceAll('.', String.raw`\.`)}$`))
  }

  /** iptux's SENDMSG datagrams that reached the listener (every copy, duplicates included). */
  function sendsFromIptux(listen: NetnsProcess): any[] {
    return listen.records().filter((r: any) => r.from.address === iptux.address && r.packet?.mode === 'SENDMSG')
  }

  /** Waits long enough for iptux to resend (1 s apart) had it not been acknowledged, then stops the listener. */
  async function settle(listen: NetnsProcess): Promise<void> {
    await listen.waitForRecords(
      (r: any) => r.from.address === iptux.address && r.packet?.mode === 'SENDMSG',
      1,
      15_000,
      "iptux's message",
    )
    await new Promise((resolve) => setTimeout(resolve, 3500))
    listen.kill('SIGINT')
    const done = await listen.wait(20_000)
    expect(done.code, listen.describe()).to.equal(0)
  }

  it('its UTF-8 message is decoded and acknowledged once (no resends)', async () => {
    const me = lan.hosts[1]
    await openChat(me, 'hello iptux', ['--nick', 'Responder'])
    const listen = lan.cli(me, ['listen', '--respond', '--ndjson', '--duration', '60s', '--nick', 'Responder'])
    await listen.waitBound(2425)
    const reply = 'Hi! 你好 from iptux'
    await iptux.say(me.address, reply)
    await settle(listen)
    const sends = sendsFromIptux(listen)
    expect(sends.map((r: any) => r.packet.text)).to.deep.equal([reply])
    expect(sends[0].packet.options).to.include('SENDCHECKOPT')
  })

  it('its GB18030 answer to a peer that wrote GBK decodes right, and is acknowledged once (point 5)', async () => {
    const me = lan.hosts[2]
    // listen first: iptux answers its BR_ENTRY with an ANSENTRY whose extension says utf-8 (whatever it sends later).
    const listen = lan.cli(me, ['listen', '--respond', '--ndjson', '--duration', '60s', '--nick', 'GBK user'])
    await listen.waitBound(2425)
    const [entry] = await listen.waitForRecords(
      (r: any) => r.from.address === iptux.address && r.packet?.mode === 'ANSENTRY',
      1,
      15_000,
      "iptux's ANSENTRY",
    )
    expect(entry.packet.iptux?.encoding).to.equal('utf-8')
    // Then a GBK message from the same PC (while listen holds port 2425): iptux now answers this pal in GB18030.
    await openChat(me, '你好，我用GBK', ['--encoding', 'gbk', '--nick', 'GBK user'])
    const reply = '收到，谢谢！'
    await iptux.say(me.address, reply)
    await settle(listen)
    const sends = sendsFromIptux(listen)
    expect(sends.length, listen.describe()).to.equal(1)
    // iptux really sent GB18030 without a flag (while its entry extension says utf-8): the bug's conditions.
    const raw = Buffer.from(sends[0].raw, 'base64')
    expect(raw.includes(iconv.encode(reply, 'gb18030')), raw.toString('hex')).to.equal(true)
    expect(sends[0].packet.options).to.not.include('UTF8OPT')
    expect(sends[0].packet.text).to.equal(reply)
  })
})
