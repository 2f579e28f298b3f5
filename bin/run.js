#!/usr/bin/env node
// Start-up matters for a command that is run from scripts (bench/README.md measures it):
// - `lanmsg --version` / `-v` is answered here without loading @oclif/core, with exactly what oclif prints
//   (its user agent: `lanmsg/<version> <platform>-<arch> node-<version>`). Where oclif might print something
//   else (WSL, which it names 'wsl'; DEBUG output) oclif answers.
// - On load, @oclif/core checks that Node satisfies its own engines field with semver (~45 modules); lanmsg's
//   engines field asks for a newer Node than oclif's, so that check is switched off.
import {existsSync, readFileSync} from 'node:fs'

const argv = process.argv.slice(2)

function maybeWsl() {
  if (process.platform !== 'linux') return false
  if (existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') || existsSync('/run/WSL')) return true
  try {
    return readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft')
  } catch {
    return true
  }
}

if ((argv[0] === '--version' || argv[0] === '-v') && !process.env.DEBUG && !maybeWsl()) {
  const {name, version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const arch = process.arch === 'ia32' ? 'x86' : process.arch
  process.stdout.write(`${name}/${version} ${process.platform}-${arch} node-${process.version}\n`)
} else {
  process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
