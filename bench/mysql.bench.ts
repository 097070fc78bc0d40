/**
 * MySqlConnection beside the `mariadb` connector 3.x (pipelining on, its default) and `mysql2`
 * 3.x on ONE connection each, same MariaDB, same data (issue 15, Benchmark): point select by
 * primary key through prepared statements at 1, 8 and 32 in flight, and a 100,000-row x 8-column
 * fetch streamed row by row, with each library's peak RSS measured in a child process per library.
 *
 * Server: the test harness's MariaDB, or COVET_BENCH_MYSQL_URL. Run: node scripts/bench.mjs mysql
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import mariadb from 'mariadb'
import mysql from 'mysql2'
import mysqlPromise from 'mysql2/promise'
import { MySqlConnection } from '../src/mysql/connection.js'
import { buildPackage, reportPeakRss } from './support/child-rss.js'
import { formatRate, type Measurement, measure, report } from './support/measure.js'
import { mysqlOptions } from './support/mysql-options.mjs'
import { benchMySqlUrl } from './support/mysql-server.js'

const WIDE = 'SELECT a, b, c, d, e, f, g, h FROM bench_wide'
const url = await benchMySqlUrl()
const options = mysqlOptions(url)

const covet = await MySqlConnection.connect({ ...options, sslmode: 'disable' })
const maria = await mariadb.createConnection({ ...options, pipelining: true })
const my2 = await mysqlPromise.createConnection(options)
const my2Stream = mysql.createConnection(options)

await covet.query(
  'CREATE TABLE IF NOT EXISTS bench_users (id INT PRIMARY KEY, name VARCHAR(40), email VARCHAR(60), score INT, active BOOL)',
)
if (Number((await covet.query<{ n: bigint }>('SELECT COUNT(*) AS n FROM bench_users'))[0]!.n) !== 10_000) {
  await covet.query('TRUNCATE bench_users')
  await covet.query(
    "INSERT INTO bench_users SELECT seq, CONCAT('user ', seq), CONCAT('user', seq, '@example.com'), seq % 100, seq % 2 = 0 FROM seq_1_to_10000",
  )
}
await covet.query(
  'CREATE TABLE IF NOT EXISTS bench_wide (a INT, b BIGINT, c VARCHAR(20), d CHAR(32), e DOUBLE, f BOOL, g INT, h VARCHAR(20))',
)
if (Number((await covet.query<{ n: bigint }>('SELECT COUNT(*) AS n FROM bench_wide'))[0]!.n) !== 100_000) {
  await covet.query('TRUNCATE bench_wide')
  await covet.query(
    "INSERT INTO bench_wide SELECT seq, seq * 1000, CONCAT('text ', seq), MD5(seq), seq / 3, seq % 3 = 0, seq % 1000, CONCAT('x', seq) FROM seq_1_to_100000",
  )
}

// The server's CPU time (utime + stime of /proc/<pid>/stat, in clock ticks of 10 ms): with the
// client's, it tells whether the point selects are bound by the server or by the client. Only for a
// server on this machine (the harness's); otherwise not reported.
const [pidRow] = await covet.query<{ f: string }>('SELECT @@pid_file AS f')
const pidFile = pidRow!.f
const serverStat = (() => {
  try {
    return `/proc/${readFileSync(pidFile, 'utf8').trim()}/stat`
  } catch {
    return undefined
  }
})()
const serverCpuMs =
  serverStat === undefined
    ? undefined
    : () => {
        const fields = readFileSync(serverStat, 'utf8').split(') ')[1]!.split(' ')
        return (Number(fields[11]) + Number(fields[12])) * 10
      }

const POINT = 'SELECT id, name, email, score, active FROM bench_users WHERE id = ?'
let next = 0
const id = () => (next = (next % 10_000) + 1)

const runners: Record<string, (n: number) => Promise<unknown>> = {
  covet: (n) => Promise.all(Array.from({ length: n }, () => covet.execute(POINT, [id()]))),
  mariadb: (n) => Promise.all(Array.from({ length: n }, () => maria.execute(POINT, [id()]))),
  mysql2: (n) => Promise.all(Array.from({ length: n }, () => my2.execute(POINT, [id()]))),
}

for (const inFlight of [1, 8, 32]) {
  const results: Measurement[] = []
  for (const [name, run] of Object.entries(runners)) {
    const options = { opsPerCall: inFlight, rounds: 5, roundMs: 300, serverCpuMs }
    results.push(await measure(name, () => run(inFlight), options))
  }
  report(
    `point select by primary key, ${inFlight} in flight, one connection`,
    results,
    'mariadb',
    'queries/s',
  )
}

async function drain(rows: AsyncIterable<unknown>): Promise<number> {
  let n = 0
  for await (const _ of rows) n++
  return n
}

const fetchOptions = { opsPerCall: 100_000, rounds: 3, roundMs: 1000 }
const wide: Measurement[] = [
  await measure('covet stream', () => drain(covet.stream(WIDE)), fetchOptions),
  await measure('covet execute (buffered)', () => covet.execute(WIDE), fetchOptions),
  await measure('mysql2 stream', () => drain(my2Stream.query(WIDE).stream()), fetchOptions),
  await measure('mysql2 execute (buffered)', () => my2.execute(WIDE), fetchOptions),
  await measure('mariadb queryStream', () => drain(maria.queryStream(WIDE)), fetchOptions),
]
report('100,000 rows x 8 columns fetch', wide, 'mysql2 stream', 'rows/s')
// Peak RSS in a plain child process per library (support/mysql-fetch-rss.mjs), streaming the rows.
buildPackage()
reportPeakRss(
  'peak RSS of a process streaming the 100,000 rows',
  fileURLToPath(new URL('./support/mysql-fetch-rss.mjs', import.meta.url)),
  ['covet', 'mysql2', 'mariadb'],
  'mysql2',
  { COVET_BENCH_MYSQL_URL: url },
)
console.log(
  `\n(rates are medians; ${formatRate(wide[0]!.opsPerSec)} rows/s for covet; machine shared with other jobs)`,
)

await covet.close()
await maria.end()
await my2.end()
my2Stream.end()
