// Targets from the flags: --to values, --interface names, --limited, or every interface's broadcast.
import type {Target} from '../net/targets.js'

import {NetError} from '../net/net-error.js'
import {broadcastTargets, parseTargetSpec, resolveTarget} from '../net/targets.js'
import {UsageError} from '../net/usage-error.js'
import {readTargetFile} from './target-file.js'

export interface TargetFlags {
  to?: string[]
  interfaces?: string[]
  limited?: boolean
  port: number
  warn: (message: string) => void
  /** Only what --to, --interface and --limited name: no default broadcast targets (a sweep's own run). */
  noDefault?: boolean
}

const LIMITED = '255.255.255.255'

export async function resolveTargets(flags: TargetFlags): Promise<Target[]> {
  const targets: Target[] = []
  for (const spec of flags.to ?? []) {
    if (spec.startsWith('@')) targets.push(...(await fileTargets(spec.slice(1), flags.port)))
    else targets.push(await oneTarget(spec, flags.port))
  }

  if (flags.limited) targets.push({address: LIMITED, port: flags.port, kind: 'limited'})
  const defaults = targets.length === 0 && !flags.noDefault
  if (defaults || (flags.interfaces && flags.interfaces.length > 0)) {
    const found = broadcastTargets(undefined, {only: flags.interfaces, port: flags.port})
    if (found.length === 0 && targets.length === 0) {
      flags.warn(`no IPv4 interface with a broadcast address was found; sending to ${LIMITED}`)
      targets.push({address: LIMITED, port: flags.port, kind: 'limited'})
    }

    targets.push(...found)
  }

  const seen = new Set<string>()
  return targets.filter((t) => {
    const key = `${t.address}:${t.port}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** announce --via HOST: one host (an address or a name) to ask for its host list; a broadcast or range is not one. */
export async function resolveVia(spec: string, port: number): Promise<{address: string; port: number; via: string}> {
  const target = await oneTarget(spec, port)
  if (spec.includes('/') || target.kind !== 'unicast') {
    throw new UsageError(
      `--via ${spec}: a host list is asked of one host (an address or a host name), not of a ${spec.includes('/') ? 'range' : target.kind}`,
    )
  }

  return {address: target.address, port: target.port, via: spec}
}

async function oneTarget(spec: string, port: number): Promise<Target> {
  const parsed = parseTargetSpec(spec, port)
  // A name is resolved only because the user gave a name (never by accident: see parseTargetSpec).
  return 'name' in parsed ? resolveTarget(parsed.name, port) : parsed
}

/** The targets of a `--to @FILE` list; an error says which line, in the kind it was raised (exit code). */
async function fileTargets(path: string, port: number): Promise<Target[]> {
  const targets: Target[] = []
  for (const {line, spec} of readTargetFile(path)) {
    try {
      targets.push(await oneTarget(spec, port))
    } catch (error) {
      const {message: said} = error as Error
      const why = said.startsWith(`--to ${spec}: `) ? said.slice(`--to ${spec}: `.length) : said
      const message = `--to @${path}, line ${line} (${spec}): ${why}`
      if (error instanceof UsageError) throw new UsageError(message, error.code)
      if (error instanceof NetError) throw new NetError(message, error.code, {cause: error})
      throw error
    }
  }

  return targets
}
