// Child of bench/mysql-driver.bench.ts: `STREAM_ROWS=n node mysql-driver-rss.mjs <library>`
// streams n rows of MariaDB's seq_1_to_<n> once through one library's pooled API and prints the
// process's peak RSS in MiB. Plain JavaScript with no loader, importing only that library as an
// application would: covet from its built package (`covet/mysql` resolves to dist/ through
// package.json "exports"), the peers from node_modules.
import { mysqlOptions } from './mysql-options.mjs'

const options = mysqlOptions(process.env.COVET_BENCH_MYSQL_URL)
const want = Number(process.env.STREAM_ROWS)
const SQL = `SELECT seq AS i, CONCAT('row ', seq) AS t, seq * 2.5 AS f, seq % 2 = 0 AS b FROM seq_1_to_${want}`
const lib = process.argv[2]
let rows = 0

if (lib === 'covet') {
  const { MySqlDriver } = await import('covet/mysql')
  const db = new MySqlDriver({ ...options, sslmode: 'disable', poolSize: 1 })
  for await (const _ of db.stream(SQL, [], { batchSize: 1000 })) rows++
  await db.close()
} else if (lib === 'mysql2') {
  const { default: mysql } = await import('mysql2')
  const pool = mysql.createPool({ ...options, connectionLimit: 1 })
  for await (const _ of pool.query(SQL).stream()) rows++
  await new Promise((resolve) => pool.end(resolve))
} else if (lib === 'mariadb') {
  const { default: mariadb } = await import('mariadb')
  const pool = mariadb.createPool({ ...options, connectionLimit: 1 })
  const conn = await pool.getConnection()
  for await (const _ of conn.queryStream(SQL)) rows++
  conn.release()
  await pool.end()
} else {
  throw new Error(`unknown library ${lib}`)
}
if (rows !== want) throw new Error(`${lib} streamed ${rows} rows, expected ${want}`)
console.log((process.resourceUsage().maxRSS / 1024).toFixed(0))
