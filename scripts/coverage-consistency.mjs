#!/usr/bin/env node
// Part of `npm test`, after c8: fails when one source file was compiled two different ways in the processes c8
// measured. c8 merges V8's ranges of all processes by URL *before* it maps them to the source, so two compilations
// of one .ts file (tsx as ES module in mocha, tsx as CommonJS in a child) mix offsets of different code: functions
// land on wrong lines, and the totals change with the order in which the files are read (a run here said 96.4 %
// of functions, the same commit 92.2 % on CI). Only mocha's process may run src/ through tsx; every child runs
// the bundle, or is spawned without NODE_V8_COVERAGE.
// Usage: node scripts/coverage-consistency.mjs [DIR] (default coverage/tmp, where c8 leaves V8's files).
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'

const dir = process.argv[2] ?? join('coverage', 'tmp')
const SOURCE_URL = /"url":"file:\/\/[^"]*\/src\/[^"]*\.ts"/
const compiled = new Map() // url -> Map(shape of the compiled code -> first file seen with it)

for (const name of readdirSync(dir)) {
  const text = readFileSync(join(dir, name), 'utf8')
  if (!SOURCE_URL.test(text)) continue // a process that ran only the bundle: nothing compiled from src/
  const cache = JSON.parse(text)['source-map-cache'] ?? {}
  for (const [url, entry] of Object.entries(cache)) {
    if (!/\/src\/.*\.ts$/.test(url)) continue
    const shape = JSON.stringify(entry.lineLengths)
    const shapes = compiled.get(url) ?? new Map()
    if (!shapes.has(shape)) shapes.set(shape, name)
    compiled.set(url, shapes)
  }
}

const mixed = [...compiled].filter(([, shapes]) => shapes.size > 1)
if (mixed.length > 0) {
  console.error(`coverage: ${mixed.length} source files were compiled differently in different processes; c8 mixes`)
  console.error('their offsets, so the figures above are wrong. Run children from the bundle, or without coverage:')
  for (const [url, shapes] of mixed.slice(0, 5)) console.error(`  ${url}: ${[...shapes.values()].join(', ')}`)
  process.exit(1)
}

console.log(`coverage: ${compiled.size} source files, each compiled one way in every process measured`)
