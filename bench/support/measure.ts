/**
 * The one benchmark method used by every `bench/*.bench.ts` (docs/benchmarks.md, "Method"):
 * warm up, then run `rounds` timed rounds of at least `roundMs` each and report the median rate.
 * Peers and covet run in the same process on the same data; ratios are what we quote.
 */
export interface MeasureOptions {
  /** Timed rounds; the median is reported. Default 7. */
  rounds?: number
  /** Minimum duration of one round in ms. Default 300. */
  roundMs?: number
  /** Operations one call of `fn` performs (for batched or pipelined work). Default 1. */
  opsPerCall?: number
  /**
   * Reads another process's CPU time in ms (the database server's), so that CPU per operation is
   * reported for it beside this process's: on one connection the server runs statements one after
   * another, and on 2 cores the client's CPU is taken from the server's.
   */
  serverCpuMs?: (() => number) | undefined
}

export interface Measurement {
  name: string
  /** Median operations per second over the rounds. */
  opsPerSec: number
  /** Every round's rate, for spread. */
  rounds: number[]
  /** CPU µs per operation over the timed rounds: this process, and the server when `serverCpuMs` is given. */
  cpuUsPerOp?: { client: number; server?: number }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export async function measure(
  name: string,
  fn: () => unknown | Promise<unknown>,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const { rounds = 7, roundMs = 300, opsPerCall = 1, serverCpuMs } = options
  const warmUntil = performance.now() + roundMs
  while (performance.now() < warmUntil) await fn()
  const rates: number[] = []
  let ops = 0
  const clientCpu = process.cpuUsage()
  const serverCpu = serverCpuMs?.()
  for (let r = 0; r < rounds; r++) {
    let calls = 0
    const start = performance.now()
    let now = start
    while (now - start < roundMs) {
      await fn()
      calls++
      now = performance.now()
    }
    rates.push((calls * opsPerCall * 1000) / (now - start))
    ops += calls * opsPerCall
  }
  const client = process.cpuUsage(clientCpu)
  const cpuUsPerOp = {
    client: (client.user + client.system) / ops,
    ...(serverCpu === undefined ? {} : { server: ((serverCpuMs!() - serverCpu) * 1000) / ops }),
  }
  return { name, opsPerSec: median(rates), rounds: rates, cpuUsPerOp }
}

/** Prints a group of measurements with each one's ratio to `baseline` (by name). */
export function report(title: string, results: Measurement[], baseline: string, unit = 'ops/s'): void {
  const base = results.find((r) => r.name === baseline)
  console.log(`\n## ${title}`)
  for (const r of results) {
    const ratio = base ? (r.opsPerSec / base.opsPerSec).toFixed(2) : '-'
    const cpu =
      r.cpuUsPerOp?.server === undefined
        ? ''
        : `   CPU µs/op: client ${r.cpuUsPerOp.client.toFixed(1)}, server ${r.cpuUsPerOp.server.toFixed(1)}`
    console.log(
      `${r.name.padEnd(40)} ${formatRate(r.opsPerSec).padStart(12)} ${unit}   ${ratio}x ${baseline}${cpu}`,
    )
  }
}

export function formatRate(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`
  return value.toFixed(1)
}
