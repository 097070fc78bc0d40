#!/usr/bin/env node
// `npm test`: typecheck, lint, unit, integration, vectors — in that order (DESIGN §5).
// Each test phase runs node:test over its files; a combined "N passed, N failed" line closes the run.
// The test phases run with NODE_V8_COVERAGE, and the run ends with the line coverage of src/ per
// folder (scripts/coverage.mjs); when unit, integration and vectors all ran, a total below
// COVERAGE_MIN fails it. COVET_COVERAGE=0 turns coverage off; COVET_COVERAGE_DIR=<dir> keeps the raw
// V8 data there, for `node scripts/coverage.mjs <dir> --files` or `--uncovered src/x`.
// Usage: node scripts/test.mjs [phase ...]   (phases: typecheck lint unit integration vectors)
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { collect, format, linePercent } from './coverage.mjs'

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

/** Line coverage of src/ a whole run must reach (issue 14). */
const COVERAGE_MIN = 90

const wanted = process.argv.slice(2)
const order = wanted.length > 0 ? wanted : Object.keys(phases)
const totals = { pass: 0, fail: 0, skipped: 0 }
const tapDir = mkdtempSync(join(tmpdir(), 'covet-test-'))
const coverage = process.env.COVET_COVERAGE !== '0'
const keptCoverage = process.env.COVET_COVERAGE_DIR
const coverageDir = keptCoverage ? resolve(keptCoverage) : join(tapDir, 'coverage')
if (coverage) {
  mkdirSync(coverageDir, { recursive: true })
  // A kept directory may hold an earlier run's files: only this run's may count.
  for (const name of readdirSync(coverageDir)) {
    if (/^coverage-.*\.json$/.test(name)) rmSync(join(coverageDir, name))
  }
}
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
  const env = tapFile && coverage ? { ...process.env, NODE_V8_COVERAGE: coverageDir } : process.env
  const started = performance.now()
  const result = spawnSync(command[0], command.slice(1), { cwd: root, stdio: 'inherit', env })
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`)
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

const testPhases = ['unit', 'integration', 'vectors']
if (coverage && !failed && order.some((name) => testPhases.includes(name))) {
  console.log('\n=== coverage (lines of src/) ===')
  const report = await collect(coverageDir)
  console.log(format(report))
  const whole = testPhases.every((name) => order.includes(name))
  const total = linePercent(report.total)
  if (!whole) console.log(`(not every test phase ran: the ${COVERAGE_MIN}% minimum applies to a whole run)`)
  else if (total < COVERAGE_MIN) {
    console.error(`\nline coverage of src/ is ${total.toFixed(1)}%, below the ${COVERAGE_MIN}% minimum`)
    failed = true
  }
  if (keptCoverage) console.log(`(raw coverage kept in ${coverageDir})`)
}

rmSync(tapDir, { recursive: true, force: true })
console.log(`\ntests: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`)
process.exit(failed ? 1 : 0)
