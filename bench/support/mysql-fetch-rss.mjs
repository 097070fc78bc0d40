// Child of bench/mysql.bench.ts: `node mysql-fetch-rss.mjs <library>` streams the 100,000-row
// table once with one library and prints the process's peak RSS in MiB. Plain JavaScript with no
// loader, importing only that library as an application would: covet from its built package
// (`covet/mysql` resolves to dist/ through package.json "exports"), the peers from node_modules.
import { mysqlOptions } from './mysql-options.mjs'

const options = mysqlOptions(process.env.COVET_BENCH_MYSQL_URL)
const WIDE = 'SELECT a, b, c, d, e, f, g, h FROM bench_wide'
const lib = process.argv[2]
let rows = 0

if (lib === 'covet') {
  const { MySqlConnection } = await import('covet/mysql')
  const c = await MySqlConnection.connect({ ...options, sslmode: 'disable' })
  for await (const _ of c.stream(WIDE)) rows++
  await c.close()
} else if (lib === 'mysql2') {
  const { default: mysql } = await import('mysql2')
  const c = mysql.createConnection(options)
  for await (const _ of c.query(WIDE).stream()) rows++
  c.end()
} else if (lib === 'mariadb') {
  const { default: mariadb } = await import('mariadb')
  const c = await mariadb.createConnection(options)
  for await (const _ of c.queryStream(WIDE)) rows++
  await c.end()
} else {
  throw new Error(`unknown library ${lib}`)
}
if (rows !== 100_000) throw new Error(`${lib} streamed ${rows} rows`)
console.log((process.resourceUsage().maxRSS / 1024).toFixed(0))
