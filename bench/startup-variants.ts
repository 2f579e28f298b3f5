// Copies of the staged CLI with one start-up mechanism of bin/run.js taken out, for the start-up benchmark's
// "without …" rows. The mechanisms that an environment variable switches off need no copy (see startup.ts).
import {execFileSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {cli, ROOT} from './support/proc.js'

const copies: string[] = []

function copyOfStagedCli(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lanmsg-bench-${label}-`))
  // One exit listener for every copy (one each went past Node's limit of 10 listeners)
  if (copies.length === 0) process.once('exit', () => copies.forEach((d) => rmSync(d, {recursive: true, force: true})))
  copies.push(dir)
  cpSync(dirname(dirname(cli.bin)), dir, {recursive: true}) // node_modules stays a link
  return dir
}

/** bin/run.js of `dir` with `find` replaced (`replace` as in String.replace); an error when `find` is not in it. */
function patchEntry(dir: string, find: string, replace: string): string {
  const entry = join(dir, 'bin', 'run.js')
  const text = readFileSync(entry, 'utf8')
  const patched = text.replace(find, replace)
  if (patched === text) throw new Error(`bin/run.js: ${JSON.stringify(find.trim())} not found`)
  writeFileSync(entry, patched)
  return entry
}

/** bin/run.js of a copy without dist/lanmsg.cjs: oclif loads @oclif/core and dist/commands module by module. */
export function withoutBundle(): string {
  const dir = copyOfStagedCli('no-bundle')
  for (const file of ['lanmsg.cjs', 'lanmsg.cjs.cache', 'lanmsg.cjs.map']) {
    rmSync(join(dir, 'dist', file), {force: true})
  }

  return join(dir, 'bin', 'run.js')
}

/** bin/run.js of a copy whose bundle is built with one option of bundle-cli.mjs (its code cache trained anew). */
function rebundled(label: string, option: string): string {
  const dir = copyOfStagedCli(label)
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-cli.mjs'), '--out', dir, option], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return join(dir, 'bin', 'run.js')
}

/** bin/run.js of a copy whose bundle imports wsl-utils as a separate ES module. */
export function wslUtilsImported(): string {
  return rebundled('wsl-import', '--import-wsl-utils')
}

/** bin/run.js of a copy whose bundle evaluates @oclif/core's modules as oclif wrote them: all on load. */
export function eagerOclif(): string {
  return rebundled('eager-oclif', '--eager-oclif')
}

/** bin/run.js of a copy whose bundle keeps its non-ASCII characters (in comments): V8 holds its source as UTF-16. */
export function nonAsciiBundle(): string {
  return rebundled('non-ascii', '--keep-non-ascii')
}

/** bin/run.js of a copy whose bundle lets listr2 import node:crypto for its task ids, as listr2 does. */
export function cryptoTaskIds(): string {
  return rebundled('crypto-task-ids', '--crypto-task-ids')
}

/** bin/run.js of a copy whose bundle lets oclif read its JSON files with fs/promises, as oclif does. */
export function asyncJsonReads(): string {
  return rebundled('async-json-reads', '--async-json-reads')
}

/** bin/run.js of a copy that reads the bundle with readFileSync(file, 'utf8'): 8 KiB reads, decoded onto V8's heap. */
export function bundleReadAsUtf8(): string {
  return patchEntry(copyOfStagedCli('utf8-read'), 'source = readSource(file)', "source = readFileSync(file, 'utf8')")
}

/** An ES module entry that requires bin/run.js (CommonJS) of a copy: what Node's ESM loader costs at start. */
export function esmEntry(): string {
  const dir = copyOfStagedCli('esm-entry')
  const entry = join(dir, 'bin', 'esm-entry.mjs')
  writeFileSync(entry, "import {createRequire} from 'node:module'\ncreateRequire(import.meta.url)('./run.js')\n")
  return entry
}

/** bin/run.js of a copy whose bundle sorts the commands with localeCompare on every run, as oclif does. */
export function localeOrder(): string {
  return rebundled('locale-order', '--locale-order')
}

/** bin/run.js of a copy whose bundle renders the help as oclif does: ejs for every text, widths code point by code point. */
export function unpatchedHelp(): string {
  return rebundled('unpatched-help', '--unpatched-help')
}

/** bin/run.js of a copy whose bundle asks wsl-utils for the platform on every run, as oclif does. */
export function wslUtilsPlatform(): string {
  return rebundled('wsl-utils-platform', '--wsl-utils-platform')
}

/** bin/run.js of a copy whose code cache is trained by `announce --help` alone, not by a complete announce too. */
export function helpTrainedCache(): string {
  const dir = copyOfStagedCli('help-trained')
  execFileSync(process.execPath, [join(dir, 'bin', 'run.js'), 'announce', '--help'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {...process.env, LANMSG_CODE_CACHE: 'write', NODE_V8_COVERAGE: ''},
  })
  return join(dir, 'bin', 'run.js')
}

/** bin/run.js of a copy that loads Node's dns modules first, as dgram's default lookup and a static import did. */
export function dnsLoaded(): string {
  return patchEntry(
    copyOfStagedCli('dns-loaded'),
    "const vm = require('node:vm')\n",
    "$&require('node:dns')\nrequire('node:dns/promises')\n",
  )
}

/**
 * bin/run.js of a copy that runs dist/announce-alone.cjs (bench/support/announce-alone.ts: a complete announce
 * without oclif, its flags given) the way it runs the CLI's bundle, code cache included (written at its first run).
 */
export function announceAlone(): string {
  const dir = copyOfStagedCli('announce-alone')
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-cli.mjs'), '--out', dir, '--announce-alone'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return patchEntry(
    dir,
    'function main() {\n',
    "$&  if (loadBundle(join(root, 'dist', 'announce-alone.cjs'))) return\n",
  )
}

/**
 * A plain Node script that does what a complete announce does at the least: bind a UDP socket, send one datagram
 * to 127.0.0.1:PORT (its first argument), write one line. What any Node program that announces pays at start.
 */
export function plainSend(): string {
  const dir = copyOfStagedCli('plain-send')
  const script = join(dir, 'plain-send.cjs')
  writeFileSync(
    script,
    [
      "const socket = require('node:dgram').createSocket('udp4')",
      'socket.bind(0, () =>',
      "  socket.send('1:1:user:host:32:hi', Number(process.argv[2]), '127.0.0.1', () => {",
      String.raw`    process.stdout.write('sent\n')`,
      '    socket.close()',
      '  }),',
      ')',
      '',
    ].join('\n'),
  )
  return script
}
