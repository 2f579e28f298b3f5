// Targets from the flags: --to values, --interface names, --limited, or every interface's broadcast.
import type {Target} from '../net/targets.js'

import {broadcastTargets, parseTargetSpec, resolveTarget} from '../net/targets.js'

export interface TargetFlags {
  to?: string[]
  interfaces?: string[]
  limited?: boolean
  port: number
  warn: (message: string) => void
}

const LIMITED = '255.255.255.255'

export async function resolveTargets(flags: TargetFlags): Promise<Target[]> {
  const targets: Target[] = []
  for (const spec of flags.to ?? []) {
    const parsed = parseTargetSpec(spec, flags.port)
    // A name is resolved only because the user gave a name (never by accident: see parseTargetSpec).
    targets.push('name' in parsed ? await resolveTarget(parsed.name, flags.port) : parsed)
  }

  if (flags.limited) targets.push({address: LIMITED, port: flags.port, kind: 'limited'})
  if (targets.length === 0 || (flags.interfaces && flags.interfaces.length > 0)) {
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
