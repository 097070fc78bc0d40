/**
 * PgConnection beside `pg` 8.x and `postgres` 3.x on ONE connection each, same server, same data
 * (issue 4, Benchmark): point select by primary key at 1, 8, 32 and 128 queries in flight, client
 * CPU per query at 32 in flight, and a 100,000-row x 8-column fetch with each library's peak RSS
 * (measured in a child process per library, so the three do not share one heap).
 *
 * Server: the test harness's PostgreSQL, or COVET_BENCH_PG_URL. Run: node scripts/bench.mjs postgres
 */
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import postgres from 'postgres'
import { parsePgUrl } from '../src/postgres/config.js'
import { PgConnection } from '../src/postgres/connection.js'
import { buildPackage, reportPeakRss } from './support/child-rss.js'
import { formatRate, type Measurement, measure, report } from './support/measure.js'
import { benchPostgresUrl } from './support/pg-server.js'

const WIDE = 'select a, b, c, d, e, f, g, h from bench_wide'
const url = await benchPostgresUrl()

const covet = await PgConnection.connect({ ...parsePgUrl(url), sslmode: 'disable' })
const pgClient = new pg.Client({ connectionString: url })
await pgClient.connect()
const sql = postgres(url, { max: 1, ssl: false, onnotice: () => {} })

await covet.query(
  'create table if not exists bench_users (id int primary key, name text, email text, score int, active bool)',
)
if ((await covet.query('select count(*)::int4 as n from bench_users'))[0]!.n !== 10_000) {
  await covet.query('truncate bench_users')
  await covet.query(
    "insert into bench_users select i, 'user ' || i, 'user' || i || '@example.com', i % 100, i % 2 = 0 from generate_series(1, 10000) i",
  )
}
await covet.query(
  'create table if not exists bench_wide (a int, b int8, c text, d text, e float8, f bool, g int, h text)',
)
if ((await covet.query('select count(*)::int4 as n from bench_wide'))[0]!.n !== 100_000) {
  await covet.query('truncate bench_wide')
  await covet.query(
    "insert into bench_wide select i, i * 1000, 'text ' || i, md5(i::text), i / 3.0, i % 3 = 0, i % 1000, 'x' || i from generate_series(1, 100000) i",
  )
}
await covet.query('analyze bench_users, bench_wide', [], { simple: true })

const POINT = 'select id, name, email, score, active from bench_users where id = $1'
let next = 0
const id = () => (next = (next % 10_000) + 1)

const runners: Record<string, (n: number) => Promise<unknown>> = {
  covet: (n) => Promise.all(Array.from({ length: n }, () => covet.query(POINT, [id()]))),
  'postgres.js': (n) =>
    Promise.all(Array.from({ length: n }, () => sql.unsafe(POINT, [id()], { prepare: true }))),
  pg: (n) =>
    Promise.all(
      Array.from({ length: n }, () => pgClient.query({ text: POINT, values: [id()], name: 'point' })),
    ),
}

for (const inFlight of [1, 8, 32, 128]) {
  const results: Measurement[] = []
  for (const [name, run] of Object.entries(runners)) {
    results.push(await measure(name, () => run(inFlight), { opsPerCall: inFlight, rounds: 5, roundMs: 300 }))
  }
  report(
    `point select by primary key, ${inFlight} in flight, one connection`,
    results,
    'postgres.js',
    'queries/s',
  )
}

// Client CPU per query (user + system of this process) at 32 in flight.
console.log('\n## client CPU per query, 32 in flight (lower is better)')
const cpu: Record<string, number> = {}
for (const [name, run] of Object.entries(runners)) {
  for (let i = 0; i < 50; i++) await run(32)
  const before = process.cpuUsage()
  const calls = 300
  for (let i = 0; i < calls; i++) await run(32)
  const used = process.cpuUsage(before)
  cpu[name] = (used.user + used.system) / (calls * 32)
}
for (const [name, micros] of Object.entries(cpu)) {
  console.log(
    `${name.padEnd(40)} ${micros.toFixed(1).padStart(8)} µs/query   ${(micros / cpu['postgres.js']!).toFixed(2)}x postgres.js`,
  )
}

const wide: Measurement[] = [
  await measure('covet', () => covet.query(WIDE), { opsPerCall: 100_000, rounds: 3, roundMs: 1000 }),
  await measure('postgres.js', () => sql.unsafe(WIDE, [], { prepare: true }), {
    opsPerCall: 100_000,
    rounds: 3,
    roundMs: 1000,
  }),
  await measure('pg', () => pgClient.query({ text: WIDE, name: 'wide' }), {
    opsPerCall: 100_000,
    rounds: 3,
    roundMs: 1000,
  }),
]
report('100,000 rows x 8 columns fetch', wide, 'postgres.js', 'rows/s')
// Peak RSS in a plain child process per library (support/wide-fetch-rss.mjs). One fetch per
// process measures the memory the fetch itself needs and stays within a few MiB run to run. Three
// fetches per process add the previous results' garbage, and the peak then depends on when V8's
// major GC runs, so that figure is printed for comparison only.
buildPackage()
for (const fetches of [1, 3]) {
  reportPeakRss(
    `peak RSS of a process fetching the 100,000 rows ${fetches === 1 ? 'once' : `${fetches} times`}`,
    fileURLToPath(new URL('./support/wide-fetch-rss.mjs', import.meta.url)),
    ['covet', 'postgres.js', 'pg'],
    'postgres.js',
    { COVET_BENCH_PG_URL: url, FETCHES: String(fetches) },
  )
}
console.log(
  `\n(rates are medians; ${formatRate(wide[0]!.opsPerSec)} rows/s for covet; machine shared with other jobs)`,
)

await covet.close()
await pgClient.end()
await sql.end()
