// A real iptux 0.8.3 on a simulated LAN, as lanmsg sees it (issue 11, points 1, 7, 8 and its exit): found by
// `announce` and `present`, not `expired` while it is quiet, its resends marked duplicate, its BR_EXIT seen.
import {expect} from 'chai'

import {Iptux, useIptuxLan} from '../support/iptux.js'
import {type Host, type NetnsProcess, type SimulatedLan} from '../support/netns.js'

const TUX = {nickname: 'Tux', group: 'Penguins'}

describe('real iptux: presence as lanmsg reports it', function () {
  this.timeout(60_000)
  let lan: SimulatedLan
  let iptux: Iptux
  let scout: Host
  let listener: Host

  useIptuxLan(this, 3, TUX, (built, tux) => {
    lan = built
    iptux = tux
    scout = lan.hosts[1]
    listener = lan.hosts[2]
  })

  async function json(proc: NetnsProcess, codes = [0]): Promise<any> {
    const result = await proc.wait(30_000)
    expect(codes, proc.describe()).to.include(result.code)
    return JSON.parse(result.stdout)
  }

  /** A message from the listener's host opens iptux's chat window for that pal (open_chat), where it can answer. */
  async function openChat(text: string): Promise<void> {
    await json(lan.cli(listener, ['announce', text, '--to', iptux.address, '--nick', 'Listener', '--json']), [0, 6])
    await iptux.waitForWindow(new RegExp(` IP:${listener.address.replaceAll('.', String.raw`\.`)}$`))
  }

  it('announce finds it: client iptux 0.8.3, its nickname and group, status present (point 1)', async () => {
    const report = await json(lan.cli(scout, ['announce', '--json', '--wait', '2s', '--nick', 'Scout']))
    const peer = report.peers.find((p: any) => p.address === iptux.address)
    expect(peer, JSON.stringify(report.peers)).to.not.equal(undefined)
    expect(peer.client).to.include({kind: 'iptux', version: '0.8.3'})
    expect(peer).to.include({nickname: TUX.nickname, group: TUX.group})
    // iptux sets ABSENCEOPT on every entry packet and has no absence mode: it is present.
    expect(peer.status).to.equal('present')
  })

  it('listen --respond, by default, does not mark a quiet iptux expired: IPMsg clients send no heartbeat (point 7)', async () => {
    // Default flags: only BR_EXIT says an IPMsg client left. (The old default expired peers after 5 minutes, too
    // long for a test to show; listen's own tests pin the default itself.)
    const listen = lan.cli(listener, ['listen', '--respond', '--json', '--duration', '6s'])
    const report = await json(listen)
    // iptux answered our BR_ENTRY, then said nothing for the rest of the run: it is still running.
    const answered = report.packets.some((r: any) => r.from.address === iptux.address && r.packet?.mode === 'ANSENTRY')
    expect(answered, listen.describe()).to.equal(true)
    const peer = report.peers.find((p: any) => p.address === iptux.address)
    expect(peer.status).to.equal('present')
  })

  it('its resends of an unacknowledged message are marked duplicate, the first is not (point 8)', async () => {
    await openChat('ping')
    const listen = lan.cli(listener, ['listen', '--ndjson', '--duration', '8s'])
    await listen.waitBound(2425)
    const text = 'are you there?'
    await iptux.say(listener.address, text)
    await listen.wait(20_000)
    // A plain listen does not acknowledge: iptux sends the same datagram up to 4 times, a second apart.
    const sends = listen.records().filter((r: any) => r.from.address === iptux.address && r.packet?.mode === 'SENDMSG')
    expect(sends.length, listen.describe()).to.be.at.least(2)
    expect(new Set(sends.map((r: any) => r.packet.packetNo)).size).to.equal(1)
    expect(sends.map((r: any) => r.packet.text)).to.deep.equal(sends.map(() => text))
    expect(sends.map((r: any) => r.duplicate === true)).to.deep.equal([false, ...sends.slice(1).map(() => true)])
  })

  it('its resends are shown once in the table (point 8)', async () => {
    await openChat('ping again')
    const listen = lan.cli(listener, ['listen', '--duration', '8s'])
    await listen.waitBound(2425)
    await iptux.say(listener.address, 'still there?')
    const done = await listen.wait(20_000)
    expect(done.code, listen.describe()).to.equal(0)
    const from = iptux.address.replaceAll('.', String.raw`\.`)
    const rows = done.stdout.split('\n').filter((line) => new RegExp(`${from}:2425 +SENDMSG `).test(line))
    expect(rows.length, done.stdout).to.equal(1)
  })

  it('its exit (Ctrl+Q: BR_EXIT to every pal) is seen, and the peer is exited', async () => {
    const since = iptux.process.stderr.length
    // No fixed --duration: under load, focusing iptux's window and quitting can take longer than any guess.
    const listen = lan.cli(listener, ['listen', '--respond', '--json', '--duration', '90s'])
    await listen.waitBound(2425)
    // Once iptux has read our BR_ENTRY it knows us as a pal; then quit it like a user.
    await iptux.waitForDatagramFrom(listener.address, since)
    await iptux.quit() // resolves once iptux has exited: its BR_EXIT has been sent
    await new Promise((resolve) => setTimeout(resolve, 500))
    listen.kill('SIGINT') // listen ends normally on Ctrl-C, with its report
    const report = await json(listen)
    const exit = report.packets.find((r: any) => r.from.address === iptux.address && r.packet?.mode === 'BR_EXIT')
    expect(exit, listen.describe()).to.not.equal(undefined)
    const peer = report.peers.find((p: any) => p.address === iptux.address)
    expect(peer.status).to.equal('exited')
  })
})
