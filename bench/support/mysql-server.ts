/**
 * The MariaDB the benchmarks use: COVET_BENCH_MYSQL_URL, or else the test harness's server. The
 * harness is imported at run time so a benchmark also runs where only COVET_BENCH_MYSQL_URL is set.
 */
export async function benchMySqlUrl(): Promise<string> {
  const fromEnv = process.env.COVET_BENCH_MYSQL_URL
  if (fromEnv) return fromEnv
  const harness = '../../test/harness/index.js'
  const { getMariaDb } = (await import(harness)) as { getMariaDb(): Promise<{ url: string }> }
  return (await getMariaDb()).url
}
