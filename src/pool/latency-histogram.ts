/** Percentiles of one latency series, in milliseconds. */
export interface LatencySummary {
  /** Samples recorded since the pool started. */
  count: number
  mean: number
  max: number
  /** p50/p95/p99 over the most recent `window` samples. */
  p50: number
  p95: number
  p99: number
}

/**
 * A latency recorder: all-time count, mean and max, and percentiles over a sliding window of the
 * most recent samples (a ring of doubles: recording is O(1) and allocation-free, so it can sit on
 * the acquire path; sorting happens only when `summary()` is asked for).
 */
export class LatencyHistogram {
  readonly #window: Float64Array
  #next = 0
  #count = 0
  #sum = 0
  #max = 0

  constructor(window = 1024) {
    this.#window = new Float64Array(window)
  }

  record(ms: number): void {
    this.#window[this.#next] = ms
    this.#next = this.#next + 1 === this.#window.length ? 0 : this.#next + 1
    this.#count++
    this.#sum += ms
    if (ms > this.#max) this.#max = ms
  }

  summary(): LatencySummary {
    const n = Math.min(this.#count, this.#window.length)
    const sorted = this.#window.slice(0, n).sort()
    // Nearest-rank percentile: the smallest sample with at least p% of samples at or below it.
    const at = (p: number): number => (n === 0 ? 0 : sorted[Math.max(0, Math.ceil((p / 100) * n) - 1)]!)
    return {
      count: this.#count,
      mean: this.#count === 0 ? 0 : this.#sum / this.#count,
      max: this.#max,
      p50: at(50),
      p95: at(95),
      p99: at(99),
    }
  }
}
