// announce --via in the report: where each peer came from, the hosts the lists named that did not answer (hearsay:
// listed, not heard), and how each list was read.
import type {AnnounceResult, HostListReport} from '../lan/announce.js'
import type {ListedHost} from '../protocol/types.js'

import {notableOptions} from './packet-summary.js'
import {type Column, renderTable, type Row, type TableOptions} from './table.js'
import {PEER_IDENTITY_COLUMNS} from './peer-columns.js'

export interface ListedEntry {
  host: ListedHost
  /** The --via values whose lists named this host. */
  via: string[]
  /** It answered our probe (it is among the peers). */
  answered: boolean
}

const key = (address: string, port: number) => `${address}:${port}`

/** Every host the lists named, once, with the lists that named it; undefined without --via. */
export function listedEntries(result: AnnounceResult): ListedEntry[] | undefined {
  if (!result.hostLists) return undefined
  const heard = new Set(result.peers.map((p) => key(p.address, p.port)))
  const entries = new Map<string, ListedEntry>()
  for (const list of result.hostLists) {
    for (const host of list.hosts) {
      const at = key(host.address, host.port)
      const entry = entries.get(at)
      if (entry === undefined) entries.set(at, {host, via: [list.via], answered: heard.has(at)})
      else if (!entry.via.includes(list.via)) entry.via.push(list.via)
    }
  }

  return [...entries.values()]
}

/** The lists that named this peer (empty: it was heard only), for the peers' VIA column and `via` field. */
export function viaOf(entries: ListedEntry[], address: string, port: number): string[] {
  return entries.find((e) => key(e.host.address, e.host.port) === key(address, port))?.via ?? []
}

function listedRecord(entry: ListedEntry) {
  const {host} = entry
  return {
    address: host.address,
    port: host.port,
    user: host.user,
    host: host.host,
    nickname: host.nickname,
    group: host.group,
    options: host.options,
    status: 'listed' as const,
    via: entry.via,
  }
}

/** The JSON members: `listed` (named, never answered: status "listed") and `hostLists` (how each was read). */
export function hostListJson(result: AnnounceResult, entries: ListedEntry[]) {
  return {
    listed: entries.filter((e) => !e.answered).map((e) => listedRecord(e)),
    hostLists: (result.hostLists ?? []).map(({hosts, ...list}) => ({...list, hosts: hosts.length})),
  }
}

/** --ndjson: one line per host listed, whether it answered or not. */
export function listedLines(entries: ListedEntry[]): string[] {
  return entries.map((e) => JSON.stringify({listed: {...listedRecord(e), answered: e.answered}}))
}

// The peer columns but the client (a list does not say which client a host runs), and where it was listed.
const LISTED_COLUMNS: Column[] = [
  ...PEER_IDENTITY_COLUMNS.filter((column) => column.key !== 'client'),
  {header: 'VIA', key: 'via', keep: true},
]

/** The hosts named and not heard, as a table; undefined when every one answered. */
export function renderListed(entries: ListedEntry[], opts: TableOptions): string | undefined {
  const silent = entries.filter((e) => !e.answered)
  if (silent.length === 0) return undefined
  const rows: Row[] = silent.map(({host, via}) => ({
    address: `${host.address}:${host.port}`,
    user: host.user,
    host: host.host,
    nickname: host.nickname,
    group: host.group,
    options: notableOptions(host.options).join(',') || '-',
    via: via.join(', '),
  }))
  const title = `Listed but not heard (${rows.length}): named by a host list, they did not answer our probe`
  return `${title}:\n${renderTable(LISTED_COLUMNS, rows, opts)}`
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`

/** One line per list: what was read, and why it ended there. */
export function hostListLine(list: HostListReport): string {
  const from = `${list.via}${list.via === list.address ? '' : ` (${list.address})`}`
  const read = `${plural(list.hosts.length, 'host')} in ${plural(list.pages, 'page')}`
  const unreadable = list.unreadable > 0 ? `; ${plural(list.unreadable, 'entry')} could not be read` : ''
  switch (list.outcome) {
    case 'complete': {
      return `Host list of ${from}: ${read}${unreadable}.`
    }

    case 'no-answer': {
      return `${from} did not answer GETLIST (${plural(list.requests, 'request')}): it does not share its host list, or nothing answers there.`
    }

    case 'timeout': {
      return `Host list of ${from}: ${read}, then the next page never came${unreadable}.`
    }

    case 'page-cap': {
      return `Host list of ${from}: ${read}; stopped there, it still said more was to come${unreadable}.`
    }

    case 'host-cap': {
      return `Host list of ${from}: ${read}; stopped there, ${plural(list.dropped, 'more host')} not kept${unreadable}.`
    }

    default: {
      return `Host list of ${from}: ${read} when stopped${unreadable}.`
    }
  }
}
