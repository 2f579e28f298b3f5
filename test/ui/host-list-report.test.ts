import {expect} from 'chai'

import type {AnnounceResult, HostListReport} from '../../src/lan/announce.js'
import type {ListedHost} from '../../src/protocol/types.js'

import {announceJsonTail, renderAnnounceReport} from '../../src/ui/announce-report.js'
import {hostListLine, listedEntries, listedLines} from '../../src/ui/host-list-report.js'

function host(user: string, address: string): ListedHost {
  return {user, host: 'pc', status: 0, options: [], address, port: 2425, portAsSent: 30_985, nickname: user, group: ''}
}

function list(via: string, hosts: ListedHost[], extra: Partial<HostListReport> = {}): HostListReport {
  return {
    via,
    address: via,
    port: 2425,
    outcome: 'complete',
    pages: 1,
    requests: 1,
    ignored: 0,
    hosts,
    dropped: 0,
    unreadable: 0,
    ...extra,
  }
}

const peer = {
  address: '10.2.0.3',
  port: 2425,
  user: 'ann',
  host: 'pc',
  nickname: 'Ann',
  group: '',
  client: {kind: 'ipmsg', name: 'IP Messenger'},
  firstSeen: 0,
  lastSeen: 0,
  status: 'present',
  packets: 1,
  options: [],
  rttMs: 4,
  acknowledged: true,
} as const

function result(hostLists?: HostListReport[]): AnnounceResult {
  return {
    local: {address: '0.0.0.0', fellBack: false, port: 2425},
    targets: [],
    sent: [{round: 0, packetNo: 7, command: 1, mode: 'BR_ENTRY', bytes: 30, truncated: false}],
    replies: [],
    peers: [{...peer, client: {...peer.client}, options: []}],
    deliveries: [],
    echoes: 0,
    repliesDropped: 0,
    duplicates: 0,
    kernelDrops: 0,
    sendErrors: [],
    stoppedEarly: null,
    answered: 1,
    entry: null,
    waited: {mode: 'auto', ms: 1100, reason: 'replies stopped'},
    ...(hostLists && {hostLists}),
  }
}

describe('ui/host-list-report (announce --via)', () => {
  const lists = [
    list('hub-a', [host('ann', '10.2.0.3'), host('bob', '10.2.0.4')]),
    list('hub-b', [host('ann', '10.2.0.3')]),
  ]

  it('says which lists named each peer, and keeps the silent ones apart as "listed" (JSON)', () => {
    const doc = announceJsonTail(result(lists)) as any
    expect(doc.peers[0].via).to.deep.equal(['hub-a', 'hub-b'])
    expect(doc.listed).to.deep.equal([
      {
        address: '10.2.0.4',
        port: 2425,
        user: 'bob',
        host: 'pc',
        nickname: 'bob',
        group: '',
        options: [],
        status: 'listed',
        via: ['hub-a'],
      },
    ])
    expect(doc.hostLists[0]).to.include({via: 'hub-a', outcome: 'complete', hosts: 2})
    // Without --via nothing changes.
    const plain = announceJsonTail(result()) as any
    expect(plain.peers[0]).to.not.have.property('via')
    expect(plain).to.not.have.property('listed')
  })

  it('shows a VIA column, the listed-but-not-heard table and a line per list (text)', () => {
    const text = renderAnnounceReport(result(lists))
    expect(text).to.match(/VIA/)
    expect(text).to.match(/10\.2\.0\.3:2425 .* hub-a, hub-b/)
    expect(text).to.include('Listed but not heard (1)')
    expect(text).to.match(/10\.2\.0\.4:2425 .* hub-a/)
    expect(text).to.include('Host list of hub-a: 2 hosts in 1 page.')
    expect(renderAnnounceReport(result())).to.not.match(/VIA|Listed/)
  })

  it('writes one --ndjson line per host listed, answered or not', () => {
    const lines = listedLines(listedEntries(result(lists))!).map((l) => JSON.parse(l))
    expect(lines.map((l) => [l.listed.address, l.listed.answered])).to.deep.equal([
      ['10.2.0.3', true],
      ['10.2.0.4', false],
    ])
  })

  it('says why a list ended where it did', () => {
    expect(hostListLine(list('10.2.0.5', [], {outcome: 'no-answer', pages: 0, requests: 4}))).to.equal(
      '10.2.0.5 did not answer GETLIST (4 requests): it does not share its host list, or nothing answers there.',
    )
    expect(
      hostListLine(list('hub', [host('a', '10.2.0.9')], {address: '10.2.0.5', outcome: 'page-cap', pages: 64})),
    ).to.equal('Host list of hub (10.2.0.5): 1 host in 64 pages; stopped there, it still said more was to come.')
    expect(hostListLine(list('hub', [], {outcome: 'host-cap', dropped: 3}))).to.include('3 more hosts not kept')
  })
})
