// Host lists across a router (§3.10): a `listen --respond --serve-list` on subnet 1 has seen its farm peers; an
// `announce --via` from subnet 0 reads its list and finds them all, where a broadcast from subnet 0 finds none.
// A hostile list server that never ends is cut off at the page cap.
import {expect} from 'chai'

import {namespaceEnv, type NetnsProcess, netnsSkipReason, SimulatedLan} from '../support/netns.js'

type Json = any

/** Answers every GETLIST with one more page (next = start + 1) claiming 99,999 hosts: a list that never ends. */
const ENDLESS_SERVER = String.raw`
const dgram = require('node:dgram')
const socket = dgram.createSocket('udp4')
let packetNo = 1
socket.on('message', (data, from) => {
  const fields = data.toString('latin1').split(':')
  if (fields.length < 6 || (Number(fields[4]) & 0xff) !== 0x12) return
  const start = Number.parseInt(fields.slice(5).join(':'), 10) || 0
  const next = String(start + 1).padStart(5)
  const body = next + '\x07' + '99999' + '\x07' + 'evil\x07pit\x07256\x0710.201.250.9\x0730985\x07\b\x07\b\x07'
  socket.send(Buffer.from('1:' + packetNo++ + ':evil:pit:' + 0x13 + ':' + body + '\0', 'latin1'), from.port, from.address)
  process.stdout.write(JSON.stringify({start}) + '\n')
})
socket.bind(2425, () => process.stdout.write(JSON.stringify({ready: true}) + '\n'))
setTimeout(() => process.exit(0), 80_000)
`

describe('simulated LAN: host lists across a router (--serve-list, --via)', function () {
  this.timeout(120_000)
  // h0 on subnet 0 asks; h1 on subnet 1 serves its list; h2 on subnet 1 is the hostile server.
  let lan: SimulatedLan
  let server: NetnsProcess
  const far = () => lan.farm.filter((h) => h.interfaces[0].subnet === 1).map((h) => h.address)

  before(async function () {
    if (netnsSkipReason()) this.skip()
    lan = await SimulatedLan.create({hosts: [[0], [1], [1]], router: true, farm: [2, 4]})
    const farm = lan.startFarm({durationS: 100, log: true})
    await farm.waitForRecords((r: Json) => r.ready === 6, 1, 30_000)
    const [, h1] = lan.hosts
    server = lan.cli(h1, ['listen', '--respond', '--serve-list', '--ndjson', '--user', 'hub', '--duration', '90s'])
    // Its BR_ENTRY at start is answered by the farm on its subnet: those are the peers it will list.
    await server.waitForRecords((r: Json) => r.packet?.mode === 'ANSENTRY', far().length, 30_000)
  })
  after(async () => {
    await lan?.destroy()
  })

  it('announce --via lists every peer the far listen has seen, each found via it and answering our probe', async () => {
    const [h0, h1] = lan.hosts
    const broadcast = await lan.cli(h0, ['announce', '--json']).wait(30_000)
    const heard = JSON.parse(broadcast.stdout).peers.map((p: Json) => p.address)
    for (const address of [...far(), h1.address]) expect(heard).to.not.include(address)

    const run = await lan.cli(h0, ['announce', '--via', h1.address, '--json']).wait(60_000)
    expect(run.code, run.stderr).to.equal(0)
    const doc = JSON.parse(run.stdout)
    expect(doc.hostLists).to.have.length(1)
    expect(doc.hostLists[0]).to.include({via: h1.address, outcome: 'complete', pages: 1, hosts: far().length + 1})
    // The listen lists itself first, as Windows does, then its farm peers; every one answered the probe.
    const peers = doc.peers.map((p: Json) => p.address).sort()
    expect(peers).to.deep.equal([...far(), h1.address].sort())
    for (const peer of doc.peers) expect(peer.via, peer.address).to.deep.equal([h1.address])
    expect(doc.listed).to.deep.equal([])
    // What h1 sent: one ANSLIST, to h0 across the router, port written as Windows does (htons(2425) = 30985).
    const answered = server
      .records()
      .filter((r: Json) => r.from?.address === h0.address && r.packet?.mode === 'GETLIST')
    expect(answered.length).to.be.at.least(1)
  })

  it('the text report has a VIA column and a line on how each list was read', async () => {
    const [h0, h1] = lan.hosts
    // The text report too: a VIA column, and the line on how the list was read.
    const run = await lan.cli(h0, ['announce', '--via', h1.address]).wait(60_000)
    expect(run.code, run.stderr).to.equal(0)
    expect(run.stdout).to.match(/VIA/)
    expect(run.stdout).to.include(`Host list of ${h1.address}: ${far().length + 1} hosts in 1 page.`)
  })

  it('a server that never ends is cut off at the page cap; its listed host that never answers is "listed"', async () => {
    const [h0, , h2] = lan.hosts
    const endless = lan.exec(h2, [process.execPath, '-e', ENDLESS_SERVER], {env: namespaceEnv()})
    await endless.waitForRecords((r: Json) => r.ready === true, 1, 10_000)
    const run = await lan.cli(h0, ['announce', '--via', h2.address, '--json']).wait(90_000)
    endless.kill()
    const doc = JSON.parse(run.stdout)
    expect(doc.hostLists[0]).to.include({outcome: 'page-cap', pages: 64, requests: 64, hosts: 1})
    expect(doc.listed).to.have.length(1)
    expect(doc.listed[0]).to.include({address: '10.201.250.9', port: 2425, status: 'listed', user: 'evil'})
    expect(doc.listed[0].via).to.deep.equal([h2.address])
    // The server itself answered (its ANSLIST): present, though not in its own list; the listed host did not.
    expect(doc.peers.map((p: Json) => [p.address, p.via])).to.deep.equal([[h2.address, []]])
    expect(run.code, run.stderr).to.equal(0)
    expect(endless.records().filter((r: Json) => 'start' in r)).to.have.length(64)
  })
})
