/**
 * Bulk insert of 50,000 rows x 5 columns (INT, BIGINT, VARCHAR, DOUBLE, DATETIME(3)) into MariaDB,
 * one connection each, every run inside one transaction (issue 16, Benchmark):
 *
 * - covet `bulkInsert` (COM_STMT_BULK_EXECUTE on MariaDB), and with `method: 'multi-row'` (what
 *   MySQL gets: prepared multi-row INSERTs);
 * - mysql2 as its users write it: `query('INSERT ... VALUES ?', [rows])` in batches of 1,000 rows
 *   (values escaped into the SQL text), and prepared multi-row `execute()` batches of 1,000 rows;
 * - the `mariadb` connector's `batch()` (its own COM_STMT_BULK_EXECUTE).
 *
 * Each run starts from an empty table (TRUNCATE, in every contender's time alike).
 * Server: the test harness's MariaDB, or COVET_BENCH_MYSQL_URL. Run: node scripts/bench.mjs mysql-bulk
 */
import mariadb from 'mariadb'
import mysqlPromise from 'mysql2/promise'
import { MySqlConnection } from '../src/mysql/connection.js'
import { type Measurement, measure, report } from './support/measure.js'
import { mysqlOptions } from './support/mysql-options.mjs'
import { benchMySqlUrl } from './support/mysql-server.js'

const ROWS = 50_000
const BATCH = 1000
const TABLE = 'bench_bulk'
const COLUMNS = ['a', 'b', 'c', 'd', 'e']
const INSERT = `INSERT INTO ${TABLE} (a, b, c, d, e) VALUES`

const url = await benchMySqlUrl()
const options = mysqlOptions(url)

const covet = await MySqlConnection.connect({ ...options, sslmode: 'disable' })
const maria = await mariadb.createConnection(options)
const my2 = await mysqlPromise.createConnection(options)

await covet.query(`DROP TABLE IF EXISTS ${TABLE}`)
await covet.query(
  `CREATE TABLE ${TABLE} (a INT, b BIGINT, c VARCHAR(40), d DOUBLE, e DATETIME(3)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
)

const BASE = Date.UTC(2024, 0, 1)
const rows: unknown[][] = Array.from({ length: ROWS }, (_, i) => [
  i,
  i * 1_000_003,
  `row ${i} of the bulk benchmark`,
  i / 7,
  new Date(BASE + i * 1000),
])
const batches: unknown[][][] = []
for (let i = 0; i < ROWS; i += BATCH) batches.push(rows.slice(i, i + BATCH))
const preparedSql = `${INSERT} ${Array.from({ length: BATCH }, () => '(?, ?, ?, ?, ?)').join(', ')}`

async function expectRows(): Promise<void> {
  const [r] = await covet.query<{ n: bigint }>(`SELECT COUNT(*) AS n FROM ${TABLE}`)
  if (Number(r!.n) !== ROWS) throw new Error(`expected ${ROWS} rows, found ${r!.n}`)
}

const runners: Record<string, () => Promise<unknown>> = {
  'covet bulkInsert (COM_STMT_BULK_EXECUTE)': () => covet.bulkInsert(TABLE, COLUMNS, rows),
  'covet bulkInsert multi-row': () => covet.bulkInsert(TABLE, COLUMNS, rows, { method: 'multi-row' }),
  'mysql2 query VALUES ? x1000': async () => {
    await my2.beginTransaction()
    for (const batch of batches) await my2.query(`${INSERT} ?`, [batch])
    await my2.commit()
  },
  'mysql2 execute multi-row x1000': async () => {
    await my2.beginTransaction()
    for (const batch of batches) await my2.execute(preparedSql, batch.flat() as (string | number | Date)[])
    await my2.commit()
  },
  'mariadb batch()': async () => {
    await maria.beginTransaction()
    await maria.batch(`${INSERT} (?, ?, ?, ?, ?)`, rows)
    await maria.commit()
  },
}

const results: Measurement[] = []
for (const [name, run] of Object.entries(runners)) {
  // Each contender's output checked once, outside the timing.
  await covet.query(`TRUNCATE ${TABLE}`)
  await run()
  await expectRows()
  results.push(
    await measure(
      name,
      async () => {
        await covet.query(`TRUNCATE ${TABLE}`)
        await run()
      },
      { opsPerCall: ROWS, rounds: 5, roundMs: 1000 },
    ),
  )
}
report(
  `bulk insert, ${ROWS.toLocaleString('en')} rows x 5 columns, one transaction`,
  results,
  'mariadb batch()',
  'rows/s',
)
console.log('\n(rates are medians; machine shared with other jobs)')

await covet.query(`DROP TABLE ${TABLE}`)
await covet.close()
await maria.end()
await my2.end()
