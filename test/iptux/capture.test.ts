// A real conversation with iptux 0.8.3, captured with tcpdump in iptux's host, read back by `listen --read` and by
// tshark with wireshark/ipmsg.lua: lanmsg's entries and messages to iptux (UTF-8, and GBK from another PC), iptux's
// answers and receipts, and replies a user types in iptux's chat windows (UTF-8, and GB18030 to the PC that wrote
// GBK), acknowledged by `listen --respond`. Every datagram, both directions, must be decoded with the names and text
// that iptux itself logged, and tshark must show the same fields.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CLI_BIN} from '../support/cli-bin.js'
import {Iptux, useIptuxLan} from '../support/iptux.js'
import {type Host, type SimulatedLan} from '../support/netns.js'
import {guardedEnv} from '../support/send-guard.js'
import {compareCapture, dissect, IPMSG_FIELDS, pcapToolsMissing, tcpdumpArgv} from '../support/tshark.js'
import {waitUntil} from '../support/wait-until.js'

type Json = any

const NICK = '企鹅 Tux'
const GROUP = '企鹅组'
const TO_IPTUX = {utf8: 'Hello iptux, 你好！', gbk: '你好，我用GBK'}
const FROM_IPTUX = {utf8: 'Hi Anna, 收到！', gbk: '收到，谢谢！'}

/** `lanmsg listen --read ARGS` here: reading a file sends nothing. */
function readCapture(args: string[]): {code: null | number; records: Json[]; stderr: string; stdout: string} {
  const run = spawnSync(process.execPath, [CLI_BIN, 'listen', '--read', ...args], {
    encoding: 'utf8',
    env: guardedEnv({NO_COLOR: '1'}),
    timeout: 60_000,
  })
  const records = args.includes('--ndjson')
    ? run.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : []
  return {code: run.status, records, stderr: run.stderr, stdout: run.stdout}
}

describe('real iptux: a captured conversation read by listen --read and by tshark', function () {
  this.timeout(180_000)
  let lan: SimulatedLan
  let iptux: Iptux
  let dir: string | undefined
  let file: string
  let anna: Host
  let wang: Host

  before(function () {
    if (pcapToolsMissing(['tshark', 'tcpdump'])) this.skip() // throws instead under LANMSG_REQUIRE_PCAP=1
  })

  useIptuxLan(this, 3, {nickname: NICK, group: GROUP}, async (built, tux) => {
    lan = built
    iptux = tux
    await converse()
  })

  /** A message from this host opens iptux's chat window for it (open_chat); resolves once the window is there. */
  async function openChat(from: Host, text: string, args: string[]): Promise<void> {
    const proc = lan.cli(from, ['announce', text, '--to', iptux.address, '--json', '--wait', '2s', ...args])
    const result = await proc.wait(30_000)
    expect(result.code, proc.describe()).to.be.oneOf([0, 6]) // 6: a receipt came late; the window says it arrived
    await iptux.waitForWindow(new RegExp(` IP:${from.address.replaceAll('.', String.raw`\.`)}$`))
  }

  /** The conversation, captured in iptux's host (one iptux start for the whole file). */
  async function converse(): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), 'lanmsg-iptux-capture-'))
    file = join(dir, 'iptux.pcap')
    ;[, anna, wang] = lan.hosts
    const tcpdump = lan.exec(iptux.host, tcpdumpArgv(file, 'ip'))
    await waitUntil(() => /listening on/.test(tcpdump.stderr), 'tcpdump listening', {process: tcpdump})

    // Anna writes UTF-8; then, while her listen --respond holds 2425, a user types an answer in iptux.
    await openChat(anna, TO_IPTUX.utf8, ['--nick', 'Anna 安娜', '--group', 'Ops'])
    const annaListen = lan.cli(anna, ['listen', '--respond', '--duration', '60s', '--nick', 'Anna 安娜'])
    await annaListen.waitBound(2425)
    await iptux.say(anna.address, FROM_IPTUX.utf8)
    // Wang listens first, then writes GBK: iptux answers that PC in GB18030, with no flag (replies.test.ts).
    const wangListen = lan.cli(wang, ['listen', '--respond', '--ndjson', '--duration', '60s', '--nick', '老王'])
    await wangListen.waitBound(2425)
    await wangListen.waitForRecords((r: Json) => r.packet?.mode === 'ANSENTRY', 1, 15_000, "iptux's ANSENTRY")
    await openChat(wang, TO_IPTUX.gbk, ['--encoding', 'gbk', '--nick', '老王'])
    await iptux.say(wang.address, FROM_IPTUX.gbk)
    await new Promise((resolve) => setTimeout(resolve, 1500)) // the receipts, and any resend, into the capture
    for (const l of [annaListen, wangListen]) l.kill('SIGINT')
    for (const l of [annaListen, wangListen]) expect((await l.wait(20_000)).code, l.describe()).to.equal(0)
    await new Promise((resolve) => setTimeout(resolve, 500)) // their BR_EXITs
    tcpdump.kill('SIGINT')
    expect((await tcpdump.wait(20_000)).code, tcpdump.describe()).to.equal(0)
  }

  after(() => {
    if (dir) rmSync(dir, {force: true, recursive: true})
  })

  const from = (records: Json[], host: {address: string}, mode: string) =>
    records.filter((r) => r.from.address === host.address && r.packet?.mode === mode)

  it('listen --read decodes every datagram of the capture, both directions, as IPMsg', () => {
    const {code, records, stderr} = readCapture([file, '--ndjson'])
    expect(code, stderr).to.equal(0)
    const udp = dissect(file, ['udp.payload']).filter((l) => l['udp.payload'])
    expect(records.length).to.equal(udp.length)
    expect(records.filter((r) => r.packet === null || r.ipmsg !== true)).to.deep.equal([])
    for (const peer of [anna, wang]) {
      const sent = new Set(records.filter((r) => r.from.address === peer.address).map((r) => r.packet.mode))
      const got = new Set(records.filter((r) => r.to.address === peer.address).map((r) => r.packet.mode))
      expect([...sent]).to.include.members(['BR_ENTRY', 'SENDMSG', 'RECVMSG', 'BR_EXIT'])
      expect([...got]).to.include.members(['ANSENTRY', 'RECVMSG', 'SENDMSG'])
    }
  })

  it("iptux's packets: its nickname, group, client and version, its replies' text (UTF-8 and GB18030)", () => {
    const {records} = readCapture([file, '--ndjson'])
    const answers = from(records, iptux, 'ANSENTRY')
    expect(answers.length).to.be.at.least(2)
    for (const r of answers) {
      expect(r.packet).to.deep.include({nickname: NICK, group: GROUP})
      expect(r.packet.client).to.deep.include({kind: 'iptux', name: 'iptux'})
      expect(r.packet.client.version).to.match(/^\d+\.\d+/)
    }

    const toAnna = from(records, iptux, 'SENDMSG').filter((r) => r.to.address === anna.address)
    const toWang = from(records, iptux, 'SENDMSG').filter((r) => r.to.address === wang.address)
    // A resend (same packet number) under load is the same message: one entry per packet number.
    const each = (rs: Json[]) => [...new Map(rs.map((r) => [r.packet.packetNo, [r.packet.text, r.packet.charset]]))]
    expect(each(toAnna).map(([, m]) => m)).to.deep.equal([[FROM_IPTUX.utf8, 'utf-8']])
    expect(each(toWang).map(([, m]) => m)).to.deep.equal([[FROM_IPTUX.gbk, 'gb18030']])
    // What iptux itself logged as sent, and as received, is what the capture decodes to.
    const sent = iptux.chatLog().filter((e) => e.direction === 'sent')
    expect(sent.map((e) => e.text)).to.deep.equal([FROM_IPTUX.utf8, FROM_IPTUX.gbk])
    // iptux showed lanmsg's messages under the nicknames of the entries the capture decodes.
    const shown = iptux.received().map((e) => [e.text, e.nickname])
    const nick = (h: Host) => from(records, h, 'BR_ENTRY')[0]?.packet.nickname
    expect(shown).to.deep.equal([
      [TO_IPTUX.utf8, nick(anna)],
      [TO_IPTUX.gbk, nick(wang)],
    ])
    expect([nick(anna), nick(wang)]).to.deep.equal(['Anna 安娜', '老王'])
  })

  it("every receipt names the packet it acknowledges: iptux's for lanmsg's messages, lanmsg's for iptux's", () => {
    const {records} = readCapture([file, '--ndjson'])
    for (const [sender, receiver] of [
      [anna, iptux],
      [wang, iptux],
      [iptux, anna],
      [iptux, wang],
    ] as Array<[{address: string}, {address: string}]>) {
      const messages = from(records, sender, 'SENDMSG').filter((r) => r.to.address === receiver.address)
      const receipts = from(records, receiver, 'RECVMSG').filter((r) => r.to.address === sender.address)
      expect(messages.length, `${sender.address} -> ${receiver.address}`).to.be.at.least(1)
      const acknowledged = new Set(receipts.map((r) => r.packet.acknowledges))
      for (const m of messages) expect(acknowledged.has(m.packet.packetNo), JSON.stringify(receipts)).to.equal(true)
    }
  })

  it('the rows show the names and the text, non-ASCII included', () => {
    const {code, stdout, stderr} = readCapture([file])
    expect(code, stderr).to.equal(0)
    expect(stdout).to.include(`${NICK} [${GROUP}]`)
    for (const text of [...Object.values(TO_IPTUX), ...Object.values(FROM_IPTUX)]) expect(stdout).to.include(text)
    expect(stdout).to.match(/iptux \d+\.\d+/)
  })

  it('tshark with wireshark/ipmsg.lua shows the same fields as lanmsg for every frame', () => {
    const {records} = readCapture([file, '--ndjson'])
    const {compared, problems} = compareCapture(file)
    expect(problems).to.deep.equal([])
    expect(compared).to.equal(records.length)
    const frames = dissect(file, ['ip.src', 'ip.dst', ...IPMSG_FIELDS]).filter((l) => l['ipmsg.mode_name'])
    const replies = frames.filter((l) => l['ip.src'][0] === iptux.address && l['ipmsg.mode_name'][0] === 'SENDMSG')
    const unique = new Map(replies.map((l) => [l['ipmsg.packet_no'][0], l]))
    expect([...unique.values()].map((l) => [l['ip.dst'][0], l['ipmsg.text'][0], l['ipmsg.charset'][0]])).to.deep.equal([
      [anna.address, FROM_IPTUX.utf8, 'utf-8'],
      [wang.address, FROM_IPTUX.gbk, 'gb18030'],
    ])
    const entries = frames.filter((l) => l['ipmsg.mode_name'][0] === 'ANSENTRY')
    for (const l of entries)
      expect([l['ipmsg.nickname'][0], l['ipmsg.group'][0], l['ipmsg.client'][0]]).to.deep.equal([NICK, GROUP, 'iptux'])
  })
})
