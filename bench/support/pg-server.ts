/**
 * The PostgreSQL the benchmarks use: COVET_BENCH_PG_URL, or else the test harness's server. The
 * harness is imported at run time so a benchmark also runs where only COVET_BENCH_PG_URL is set.
 */
export async function benchPostgresUrl(): Promise<string> {
  const fromEnv = process.env.COVET_BENCH_PG_URL
  if (fromEnv) return fromEnv
  const harness = '../../test/harness/index.js'
  const { getPostgres } = (await import(harness)) as { getPostgres(): Promise<{ urls: { trust: string } }> }
  return (await getPostgres()).urls.trust
}
