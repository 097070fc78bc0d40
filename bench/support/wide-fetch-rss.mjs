// Child of bench/postgres.bench.ts: `FETCHES=n node wide-fetch-rss.mjs <library>` fetches the
// 100,000-row table n times (default 3) with one library and prints the process's peak RSS in MiB.
// Plain JavaScript with no loader, importing only that library as an application would: covet from
// its built package (`covet/postgres` resolves to dist/ through package.json "exports"), the peers
// from node_modules.
const url = process.env.COVET_BENCH_PG_URL
const WIDE = 'select a, b, c, d, e, f, g, h from bench_wide'
const lib = process.argv[2]
const FETCHES = Number(process.env.FETCHES ?? 3)

if (lib === 'covet') {
  const { PgConnection } = await import('covet/postgres')
  const c = await PgConnection.connect(`${url}${url.includes('?') ? '&' : '?'}sslmode=disable`)
  for (let i = 0; i < FETCHES; i++) await c.query(WIDE)
  await c.close()
} else if (lib === 'postgres.js') {
  const { default: postgres } = await import('postgres')
  const sql = postgres(url, { max: 1, ssl: false })
  for (let i = 0; i < FETCHES; i++) await sql.unsafe(WIDE, [], { prepare: true })
  await sql.end()
} else if (lib === 'pg') {
  const { default: pg } = await import('pg')
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  for (let i = 0; i < FETCHES; i++) await c.query({ text: WIDE, name: 'wide' })
  await c.end()
} else {
  throw new Error(`unknown library ${lib}`)
}
console.log((process.resourceUsage().maxRSS / 1024).toFixed(0))
