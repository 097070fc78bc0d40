#!/usr/bin/env node
// `npm test`: typecheck, lint, unit, integration, vectors — in that order (DESIGN §5).
// Each test phase runs node:test over its files; a combined "N passed, N failed" line closes the run.
// Usage: node scripts/test.mjs [phase ...]   (phases: typecheck lint unit integration vectors)
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const bin = (name) => join(root, 'node_modules', '.bin', name)

function listTests(dir, accept) {
  const out = []
  const walk = (d) => {
    let entries
    try {
      entries = readdirSync(d)
    } catch {
      return
    }
    for (const name of entries.sort()) {
      const path = join(d, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith('.test.ts') && accept(name)) out.push(relative(root, path))
    }
  }
  walk(join(root, dir))
  return out
}

const isVectors = (name) => name.endsWith('.vectors.test.ts')
const phases = {
  typecheck: { command: [bin('tsc'), '-p', 'tsconfig.json', '--noEmit'] },
  lint: { command: [bin('biome'), 'check', '.'] },
  unit: { files: () => listTests('test/unit', (n) => !isVectors(n)), concurrency: 2 },
  // Integration files share servers started once per file process; run them one at a time so
  // two files never compete for the 2 cores while timing-sensitive fault tests run.
  integration: { files: () => listTests('test/integration', () => true), concurrency: 1 },
  vectors: { files: () => listTests('test', isVectors), concurrency: 2 },
}

const wanted = process.argv.slice(2)
const order = wanted.length > 0 ? wanted : Object.keys(phases)
const totals = { pass: 0, fail: 0, skipped: 0 }
const tapDir = mkdtempSync(join(tmpdir(), 'covet-test-'))
let failed = false

for (const name of order) {
  const phase = phases[name]
  if (!phase) {
    console.error(`unknown phase: ${name} (phases: ${Object.keys(phases).join(' ')})`)
    process.exit(2)
  }
  console.log(`\n=== ${name} ===`)
  let command = phase.command
  let tapFile
  if (phase.files) {
    const files = phase.files()
    if (files.length === 0) {
      console.log(`(no ${name} test files yet)`)
      continue
    }
    tapFile = join(tapDir, `${name}.tap`)
    command = [
      process.execPath,
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${phase.concurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapFile}`,
      ...files,
    ]
  }
  const result = spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit' })
  if (tapFile) {
    const tap = readFileSync(tapFile, 'utf8')
    for (const key of Object.keys(totals)) {
      const match = tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))
      if (match) totals[key] += Number(match[1])
    }
  }
  if (result.status !== 0) {
    console.error(`\nphase ${name} failed (exit ${result.status ?? result.signal})`)
    failed = true
    break
  }
}

rmSync(tapDir, { recursive: true, force: true })
console.log(`\ntests: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`)
process.exit(failed ? 1 : 0)
