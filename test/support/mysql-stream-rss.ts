/**
 * Child process of test/integration/mysql/driver/stream.test.ts:
 * `node --import tsx mysql-stream-rss.ts <url> <rows> <mode>` streams `rows` rows of MariaDB's
 * seq_1_to_<rows> through one MySqlDriver and prints `{ rows, maxRssMiB }` as JSON. `mode` is
 * `stream` (driver.stream, a server-side cursor) or `buffered` (driver.execute, every row at
 * once: what the stream must not look like). A process of its own, so its peak RSS
 * (`process.resourceUsage().maxRSS`) is this job's alone.
 */
import { MySqlDriver } from '../../src/mysql/driver.js'

const [url, rowsArg, mode] = process.argv.slice(2)
const rows = Number(rowsArg)
if (url === undefined || !Number.isSafeInteger(rows) || rows < 1) {
  throw new Error('usage: mysql-stream-rss.ts <url> <rows> <stream|buffered>')
}
const SQL = `SELECT seq AS i, CONCAT('row ', seq) AS t, seq * 2.5 AS f, seq % 2 = 0 AS b FROM seq_1_to_${rows}`
const db = new MySqlDriver(url, { poolSize: 1 })
let n = 0
let sum = 0
if (mode === 'stream') {
  for await (const row of db.stream<{ i: bigint }>(SQL, [], { batchSize: 1000 })) {
    n++
    sum += Number(row.i)
  }
} else if (mode === 'buffered') {
  const all = await db.execute<{ i: bigint }>(SQL)
  for (const row of all) {
    n++
    sum += Number(row.i)
  }
} else throw new Error(`unknown mode ${mode}`)
await db.close()
// Every row arrived once (seq is BIGINT UNSIGNED: bigint): the sum of 1..rows.
if (n !== rows || sum !== (rows * (rows + 1)) / 2) throw new Error(`got ${n} rows summing to ${sum}`)
console.log(JSON.stringify({ rows: n, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }))
