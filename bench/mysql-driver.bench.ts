/**
 * MySqlDriver (pooled) beside mysql2 3.x and the `mariadb` connector 3.x, same MariaDB, same
 * data, one run (issue 16, Benchmark):
 * - point select by primary key (prepared) with 8, 32 and 128 concurrent callers: covet with a
 *   pool of 10, by default (`sharing: 'auto'`: the plain SELECT is proved session-neutral and
 *   pipelined with other callers') and with `sharing: 'opt-in'` (each statement on a connection
 *   of its own), against every peer mode — mysql2 createPool (10) + execute, one mysql2 connection,
 *   mariadb createPool (10, pipelining on, its default) and one mariadb connection (pipelining).
 *   The goal compares covet with the best peer mode at each level (">= 1.2x at 32 callers");
 * - a stream of 100,000 rows x 4 columns (rows/s): covet driver.stream (server-side cursor,
 *   1,000 rows per fetch) vs mysql2 pool.query().stream() and mariadb queryStream (text protocol);
 * - the peak RSS of a plain child process per library streaming 100,000 and 1,000,000 rows
 *   (bench/support/mysql-driver-rss.mjs; flat = independent of the row count).
 *
 * Server: the test harness's MariaDB, or COVET_BENCH_MYSQL_URL. Run: node scripts/bench.mjs mysql-driver
 */
import { fileURLToPath } from 'node:url'
import mariadb from 'mariadb'
import mysqlCallback from 'mysql2'
import mysql from 'mysql2/promise'
import { MySqlDriver } from '../src/mysql/driver.js'
import { buildPackage, reportPeakRss } from './support/child-rss.js'
import { formatRate, type Measurement, measure, report } from './support/measure.js'
import { mysqlOptions } from './support/mysql-options.mjs'
import { benchMySqlUrl } from './support/mysql-server.js'

const url = await benchMySqlUrl()
const options = mysqlOptions(url)
const POOL = 10

const covet = new MySqlDriver({ ...options, sslmode: 'disable', poolSize: POOL })
const covetUnshared = new MySqlDriver({ ...options, sslmode: 'disable', poolSize: POOL, sharing: 'opt-in' })
const my2Pool = mysql.createPool({ ...options, connectionLimit: POOL })
const my2One = await mysql.createConnection(options)
const my2Stream = mysqlCallback.createPool({ ...options, connectionLimit: 1 })
const mariaPool = mariadb.createPool({ ...options, connectionLimit: POOL, pipelining: true })
const mariaOne = await mariadb.createConnection({ ...options, pipelining: true })

await covet.execute(
  'CREATE TABLE IF NOT EXISTS bench_users (id INT PRIMARY KEY, name VARCHAR(40), email VARCHAR(60), score INT, active BOOL)',
)
if (Number((await covet.executeOne<{ n: bigint }>('SELECT COUNT(*) AS n FROM bench_users'))!.n) !== 10_000) {
  await covet.execute('TRUNCATE bench_users', [], { prepare: false })
  await covet.execute(
    "INSERT INTO bench_users SELECT seq, CONCAT('user ', seq), CONCAT('user', seq, '@example.com'), seq % 100, seq % 2 = 0 FROM seq_1_to_10000",
  )
}

const POINT = 'SELECT id, name, email, score, active FROM bench_users WHERE id = ?'
let next = 0
const id = () => (next = (next % 10_000) + 1)
const all = (n: number, one: () => Promise<unknown>) => Promise.all(Array.from({ length: n }, one))

const COVET = 'covet MySqlDriver (pool of 10)'
const COVET_UNSHARED = "covet MySqlDriver, sharing: 'opt-in'"
const OURS = new Set([COVET, COVET_UNSHARED])
const pointRunners: Record<string, (n: number) => Promise<unknown>> = {
  [COVET]: (n) => all(n, () => covet.execute(POINT, [id()])),
  [COVET_UNSHARED]: (n) => all(n, () => covetUnshared.execute(POINT, [id()])),
  'mysql2 createPool (10) execute': (n) => all(n, () => my2Pool.execute(POINT, [id()])),
  'mysql2 (1 connection) execute': (n) => all(n, () => my2One.execute(POINT, [id()])),
  'mariadb createPool (10, pipelining)': (n) => all(n, () => mariaPool.execute(POINT, [id()])),
  'mariadb (1 connection, pipelining)': (n) => all(n, () => mariaOne.execute(POINT, [id()])),
}
// Warm every pool to its 10 connections (and every statement cache) so no run pays for connecting.
for (const run of Object.values(pointRunners)) await run(128)

// Interleaved rounds (A B C D E, A B C D E, ...): the machine is shared, and load that comes and
// goes then hits every library alike instead of whichever ran during it. Median of the rounds.
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
  const best = results.filter((r) => !OURS.has(r.name)).sort((a, b) => b.opsPerSec - a.opsPerSec)[0]!
  report(`point select, ${callers} concurrent callers, pool of ${POOL}`, results, best.name, 'queries/s')
  for (const name of OURS) {
    const ours = results.find((r) => r.name === name)!
    console.log(`${name} / best peer mode (${best.name}): ${(ours.opsPerSec / best.opsPerSec).toFixed(2)}x`)
  }
}

const STREAM =
  "SELECT seq AS i, CONCAT('row ', seq) AS t, seq * 2.5 AS f, seq % 2 = 0 AS b FROM seq_1_to_100000"
async function drain(rows: AsyncIterable<unknown>): Promise<number> {
  let n = 0
  for await (const _ of rows) n++
  if (n !== 100_000) throw new Error(`streamed ${n} rows`)
  return n
}
const streamOptions = { opsPerCall: 100_000, rounds: 3, roundMs: 1000 }
const streamRates: Measurement[] = [
  await measure(
    'covet driver.stream (cursor, 1000/fetch)',
    () => drain(covet.stream(STREAM, [], { batchSize: 1000 })),
    streamOptions,
  ),
  await measure('mysql2 pool.query().stream()', () => drain(my2Stream.query(STREAM).stream()), streamOptions),
  await measure(
    'mariadb queryStream',
    async () => {
      const conn = await mariaPool.getConnection()
      try {
        await drain(conn.queryStream(STREAM))
      } finally {
        await conn.release()
      }
    },
    streamOptions,
  ),
]
report('stream of 100,000 rows x 4 columns', streamRates, 'mysql2 pool.query().stream()', 'rows/s')

// Peak RSS in a plain child process per library (support/mysql-driver-rss.mjs).
buildPackage()
const rssScript = fileURLToPath(new URL('./support/mysql-driver-rss.mjs', import.meta.url))
for (const rows of [100_000, 1_000_000]) {
  reportPeakRss(
    `peak RSS of a process streaming ${formatRate(rows)} rows`,
    rssScript,
    ['covet', 'mysql2', 'mariadb'],
    'mysql2',
    { COVET_BENCH_MYSQL_URL: url, STREAM_ROWS: String(rows) },
    3,
  )
}

const m = covet.metrics()
console.log(
  `\n(covet statement cache: L1 hit ratio ${m.statementCache.l1.hitRatio.toFixed(3)}; rates are medians; machine shared with other jobs)`,
)
await covet.close()
await covetUnshared.close()
await my2Pool.end()
await my2One.end()
await new Promise((resolve) => my2Stream.end(resolve))
await mariaPool.end()
await mariaOne.end()
