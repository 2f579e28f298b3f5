// How an announce ends (exit 0, 6, 7 or 128 + a signal) and the lines that explain a 7, from the result as data.
import {expect} from 'chai'

import type {AnnouncePlan} from '../../src/cli/announce-plan.js'
import type {AnnounceResult, Delivery} from '../../src/lan/announce.js'

import {announceExit} from '../../src/cli/announce-exit.js'
import {answerShortfall, NOBODY_ANSWERED_HINT} from '../../src/cli/answer-shortfall.js'

function result(answered: number, deliveries: Array<Partial<Delivery>> = []): AnnounceResult {
  const target = {address: '10.79.0.12', port: 2425, kind: 'unicast'} as const
  return {
    answered,
    deliveries: deliveries.map((d) => ({
      target,
      round: 0,
      packetNo: 1,
      charset: 'utf-8',
      lossy: false,
      delivered: false,
      attempts: 4,
      rttMs: null,
      unreachable: false,
      cannotAnswer: false,
      ...d,
    })),
  } as AnnounceResult
}

function plan(discovery: boolean, options: {expect?: number; waitMs?: 'auto' | number} = {}): AnnouncePlan {
  return {discovery, options: {waitMs: 'auto', ...options}} as AnnouncePlan
}

describe('cli/announce-exit and cli/answer-shortfall', () => {
  it('0 when all was done: every unicast acknowledged, enough answers', () => {
    expect(announceExit(result(1, [{delivered: true}]), plan(false))).to.deep.equal({code: undefined, lines: []})
    expect(announceExit(result(3), plan(true, {expect: 3}))).to.deep.equal({code: undefined, lines: []})
  })

  it('6 when a unicast target never acknowledged; a client that cannot answer GETINFO is no failure', () => {
    expect(announceExit(result(0, [{delivered: true}, {}]), plan(false)).code).to.equal(6)
    expect(announceExit(result(1, [{cannotAnswer: true}]), plan(false)).code).to.equal(undefined)
  })

  it('7 with its lines: fewer than --expect, or a discovery nobody answered (but not with --wait 0)', () => {
    expect(announceExit(result(2), plan(false, {expect: 3}))).to.deep.equal({
      code: 7,
      lines: ['Only 2 of the 3 peers expected answered.'],
    })
    expect(announceExit(result(0), plan(false, {expect: 3})).lines).to.deep.equal([
      'Only 0 of the 3 peers expected answered.',
      ...NOBODY_ANSWERED_HINT,
    ])
    expect(announceExit(result(0), plan(true))).to.deep.equal({code: 7, lines: NOBODY_ANSWERED_HINT})
    expect(announceExit(result(0), plan(true, {waitMs: 0})).code, 'nothing was awaited').to.equal(undefined)
    expect(announceExit(result(0), plan(false)).code, 'a message has its table').to.equal(undefined)
  })

  it('6 wins over 7, and then the 7 lines are not said', () => {
    expect(announceExit(result(0, [{}]), plan(false, {expect: 2}))).to.deep.equal({code: 6, lines: []})
  })

  it('a stop signal gives 128 + its number, and the shortfall lines are still said', () => {
    expect(announceExit(result(0), plan(true), 'SIGINT')).to.deep.equal({code: 130, lines: NOBODY_ANSWERED_HINT})
    expect(announceExit(result(1, [{}]), plan(false), 'SIGTERM').code).to.equal(143)
    expect(announceExit(result(1), plan(false), 'SIGHUP').code).to.equal(129)
  })

  it('answerShortfall alone: undefined when the answers were enough', () => {
    expect(answerShortfall(result(5), {discovery: true, expect: 5, waited: true})).to.equal(undefined)
    expect(answerShortfall(result(1), {discovery: true, waited: true})).to.equal(undefined)
    expect(answerShortfall(result(0), {discovery: true, waited: false})).to.equal(undefined)
  })
})
