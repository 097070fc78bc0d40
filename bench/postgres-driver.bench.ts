/**
 * PostgresDriver (pooled) beside `pg` + pg-pool and `postgres` (postgres.js), same server, same
 * data, one run (issue 5, Benchmark):
 * - point select by primary key with 8, 32 and 128 concurrent callers through a pool of 10;
 * - bulk insert of 50,000 rows: covet bulkInsert (COPY binary) vs pg + pg-copy-streams (COPY text)
 *   vs postgres.js's multi-row insert helper (`sql\`insert into t ${sql(rows)}\``, 10,000 rows
 *   per statement to stay under 65,535 parameters);
 * - stream of 100,000 rows (rows/s), and the peak RSS of a child process per library streaming
 *   100,000, 1,000,000 and 3,000,000 rows (flat = independent of the row count). `pg` has no
 *   cursor without pg-cursor (not installed), so the peers here are covet and postgres.js's
 *   `cursor()`.
 *
 * Server: the test harness's PostgreSQL, or COVET_BENCH_PG_URL. Run: node scripts/bench.mjs postgres-driver
 */
import { spawnSync } from 'node:child_process'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import postgres from 'postgres'
import { parsePgUrl } from '../src/postgres/config.js'
import { PostgresDriver } from '../src/postgres/driver.js'
import { type Measurement, measure, report } from './support/measure.js'
import { benchPostgresUrl } from './support/pg-server.js'

const url = await benchPostgresUrl()
const STREAM = "select i, 'row ' || i as t, i * 2.5 as f, i % 2 = 0 as b from generate_series(1, $1::int4) i"

// Child mode: `rss <library> <rows>` streams the rows and prints the peak RSS in MiB.
if (process.argv[2] === 'rss') {
  const [lib, rowsArg] = process.argv.slice(3)
  const rows = Number(rowsArg)
  let n = 0
  if (lib === 'covet') {
    const db = new PostgresDriver({ ...parsePgUrl(url), sslmode: 'disable', poolSize: 1 })
    for await (const _ of db.stream(STREAM, [rows], { batchSize: 1000 })) n++
    await db.close()
  } else {
    const sql = postgres(url, { max: 1, ssl: false })
    for await (const batch of sql.unsafe(STREAM, [rows], { prepare: true }).cursor(1000)) n += batch.length
    await sql.end()
  }
  if (n !== rows) throw new Error(`streamed ${n} rows, expected ${rows}`)
  console.log((process.resourceUsage().maxRSS / 1024).toFixed(0))
  process.exit(0)
}

const POOL = 10
const covet = new PostgresDriver({ ...parsePgUrl(url), sslmode: 'disable', poolSize: POOL })
const pgPool = new pg.Pool({ connectionString: url, max: POOL })
const sql = postgres(url, { max: POOL, ssl: false, onnotice: () => {} })
// postgres.js's other mode: every query pipelined on one connection (the issue's ~50k reference).
const sqlOne = postgres(url, { max: 1, ssl: false, onnotice: () => {} })

await covet.execute(
  'create table if not exists bench_users (id int primary key, name text, email text, score int, active bool)',
)
if ((await covet.executeOne<{ n: number }>('select count(*)::int4 as n from bench_users'))!.n !== 10_000) {
  await covet.execute('truncate bench_users')
  await covet.execute(
    "insert into bench_users select i, 'user ' || i, 'user' || i || '@example.com', i % 100, i % 2 = 0 from generate_series(1, 10000) i",
  )
}
await covet.execute('create table if not exists bench_bulk (id int, name text, score float8, at timestamptz)')

const POINT = 'select id, name, email, score, active from bench_users where id = $1'
let next = 0
const id = () => (next = (next % 10_000) + 1)

const pointRunners: Record<string, (n: number) => Promise<unknown>> = {
  'covet driver': (n) => Promise.all(Array.from({ length: n }, () => covet.execute(POINT, [id()]))),
  'postgres.js (pool of 10)': (n) =>
    Promise.all(Array.from({ length: n }, () => sql.unsafe(POINT, [id()], { prepare: true }))),
  'postgres.js (1 connection)': (n) =>
    Promise.all(Array.from({ length: n }, () => sqlOne.unsafe(POINT, [id()], { prepare: true }))),
  'pg + pg-pool': (n) =>
    Promise.all(
      Array.from({ length: n }, () => pgPool.query({ text: POINT, values: [id()], name: 'point' })),
    ),
}
// Warm every pool to its 10 connections so no run pays for connecting.
for (const run of Object.values(pointRunners)) await run(128)

// Interleaved rounds (A B C D, A B C D, ...): the machine is shared, and load that comes and goes
// then hits every library alike instead of whichever ran during it. Median of the rounds.
for (const callers of [8, 32, 128]) {
  const rates = new Map<string, number[]>()
  for (let round = 0; round < 7; round++) {
    for (const [name, run] of Object.entries(pointRunners)) {
      const m = await measure(name, () => run(callers), { opsPerCall: callers, rounds: 1, roundMs: 250 })
      rates.set(name, [...(rates.get(name) ?? []), m.opsPerSec])
    }
  }
  const results: Measurement[] = [...rates].map(([name, r]) => ({
    name,
    opsPerSec: [...r].sort((a, b) => a - b)[r.length >> 1]!,
    rounds: r,
  }))
  report(
    `point select, ${callers} concurrent callers, pool of ${POOL}`,
    results,
    'postgres.js (pool of 10)',
    'queries/s',
  )
}

const BULK = 50_000
const at = new Date('2024-01-02T03:04:05Z')
const bulkRows = Array.from({ length: BULK }, (_, i) => [i, `name ${i}`, i / 7, at] as const)
const bulkObjects = bulkRows.map(([id, name, score, at]) => ({ id, name, score, at }))
const truncate = () => covet.execute('truncate bench_bulk')

const bulkRunners: Record<string, () => Promise<unknown>> = {
  'covet bulkInsert (COPY binary)': async () => {
    await truncate()
    await covet.bulkInsert('bench_bulk', ['id', 'name', 'score', 'at'], bulkRows)
  },
  'pg + pg-copy-streams (COPY text)': async () => {
    await truncate()
    const client = await pgPool.connect()
    try {
      const stream = client.query(copyFrom('copy bench_bulk (id, name, score, at) from stdin'))
      async function* lines() {
        for (let i = 0; i < BULK; i += 1000) {
          let chunk = ''
          for (const [id, name, score, when] of bulkRows.slice(i, i + 1000)) {
            chunk += `${id}\t${name}\t${score}\t${when.toISOString()}\n`
          }
          yield chunk
        }
      }
      await pipeline(lines, stream)
    } finally {
      client.release()
    }
  },
  'postgres.js insert helper': async () => {
    await truncate()
    for (let i = 0; i < BULK; i += 10_000) {
      await sql`insert into bench_bulk ${sql(bulkObjects.slice(i, i + 10_000), 'id', 'name', 'score', 'at')}`
    }
  },
}
const bulk: Measurement[] = []
for (const [name, run] of Object.entries(bulkRunners)) {
  bulk.push(await measure(name, run, { opsPerCall: BULK, rounds: 5, roundMs: 1 }))
}
report(`bulk insert of ${BULK} rows x 4 columns`, bulk, 'pg + pg-copy-streams (COPY text)', 'rows/s')

const streamRates: Measurement[] = [
  await measure(
    'covet driver.stream',
    async () => {
      for await (const _ of covet.stream(STREAM, [100_000], { batchSize: 1000 })) {
        // consume
      }
    },
    { opsPerCall: 100_000, rounds: 3, roundMs: 1 },
  ),
  await measure(
    'postgres.js cursor(1000)',
    async () => {
      for await (const _ of sql.unsafe(STREAM, [100_000], { prepare: true }).cursor(1000)) {
        // consume
      }
    },
    { opsPerCall: 100_000, rounds: 3, roundMs: 1 },
  ),
]
report('stream of 100,000 rows x 4 columns', streamRates, 'postgres.js cursor(1000)', 'rows/s')

console.log('\n## peak RSS of a process streaming N rows (flat = independent of N)')
for (const lib of ['covet', 'postgres.js']) {
  const mib = [100_000, 1_000_000, 3_000_000].map((rows) => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), 'rss', lib, String(rows)],
      { env: { ...process.env, COVET_BENCH_PG_URL: url }, encoding: 'utf8' },
    )
    return Number(child.stdout.trim().split('\n').at(-1))
  })
  console.log(`${lib.padEnd(40)} 100k rows: ${mib[0]} MiB   1M rows: ${mib[1]} MiB   3M rows: ${mib[2]} MiB`)
}

const m = covet.metrics()
console.log(
  `\n(covet statement cache: L1 hit ratio ${m.statementCache.l1.hitRatio.toFixed(3)}, L2 hits ${m.statementCache.l2.hits}; rates are medians; machine shared with other jobs)`,
)
await covet.close()
await pgPool.end()
await sql.end()
await sqlOne.end()
