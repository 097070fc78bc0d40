/**
 * `GET /metrics` in the Prometheus text exposition format (version 0.0.4): the service's own HTTP
 * counters and latency histogram, plus every number in `driver.metrics()` (pool, statement cache,
 * queries, circuit breaker), flattened so that a new field in the driver shows up without a change
 * here, and typed (`counter`, `gauge`, `summary`) so that rate() and friends work on it.
 */
import type { Observation } from './server/router.js'

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const
const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

interface Series {
  count: number
  sum: number
  buckets: number[]
}

export class HttpMetrics {
  readonly #requests = new Map<string, number>()
  readonly #latency = new Map<string, Series>()

  observe({ method, route, status, seconds }: Observation): void {
    const key = labels({ method, route, status: String(status) })
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1)
    const latencyKey = labels({ method, route })
    let series = this.#latency.get(latencyKey)
    if (series === undefined) {
      series = { count: 0, sum: 0, buckets: BUCKETS.map(() => 0) }
      this.#latency.set(latencyKey, series)
    }
    series.count++
    series.sum += seconds
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) series.buckets[i]!++
    })
  }

  render(): string {
    const lines = [
      '# HELP notes_http_requests_total HTTP requests by method, route and status.',
      '# TYPE notes_http_requests_total counter',
    ]
    for (const [key, value] of this.#requests) lines.push(`notes_http_requests_total{${key}} ${value}`)
    lines.push(
      '# HELP notes_http_request_duration_seconds Time from request to the end of the response.',
      '# TYPE notes_http_request_duration_seconds histogram',
    )
    for (const [key, series] of this.#latency) {
      BUCKETS.forEach((bound, i) => {
        lines.push(`notes_http_request_duration_seconds_bucket{${key},le="${bound}"} ${series.buckets[i]}`)
      })
      lines.push(`notes_http_request_duration_seconds_bucket{${key},le="+Inf"} ${series.count}`)
      lines.push(`notes_http_request_duration_seconds_sum{${key}} ${series.sum}`)
      lines.push(`notes_http_request_duration_seconds_count{${key}} ${series.count}`)
    }
    return `${lines.join('\n')}\n`
  }
}

/** Which fields of a metrics object are which Prometheus type, by path: dotted keys, `*` for any one key. */
export interface MetricTypes {
  /** Fields that only ever grow: `counter`, named with a `_total` suffix (exposition formats, "Counter"). */
  counters: readonly string[]
  /** Fields that go up and down (a breaker state string too): `gauge`. */
  gauges: readonly string[]
}

/**
 * `driver.metrics()` (src/postgres/driver/metrics.ts, src/pool/pool-metrics.ts). A field the driver
 * adds later is still exposed, typed `untyped` until it is listed here; latency summaries are
 * recognised by their shape.
 */
export const DRIVER_METRIC_TYPES: MetricTypes = {
  counters: [
    'created',
    'createErrors',
    'destroyed.*',
    'destroyErrors',
    'acquired',
    'released',
    'timeouts',
    'rejected.*',
    'breaker.transitions.*',
    'queries.total',
    'queries.failed',
    'queries.bySqlStateClass.*',
    'queries.byCode.*',
    'queries.retriedUnsent',
    'transactions.*',
    'copy.*',
    'statementCache.*.hits',
    'statementCache.*.misses',
    'bytes.*',
    'listener.reconnects',
  ],
  gauges: [
    'size',
    'idle',
    'inUse',
    'waiting',
    'pending',
    'waitingPeak',
    'breaker.state',
    'breaker.consecutiveFailures',
    'breaker.retryAt',
    'statementCache.*.hitRatio',
    'statementCache.size',
    'listener.connected',
    'listener.channels',
  ],
}

type MetricType = 'counter' | 'gauge' | 'summary' | 'untyped'

/** A LatencySummary (src/pool/latency-histogram.ts): all-time count and mean, windowed percentiles. */
const SUMMARY_KEYS = ['count', 'mean', 'max', 'p50', 'p95', 'p99']
const QUANTILES = [
  ['p50', '0.5'],
  ['p95', '0.95'],
  ['p99', '0.99'],
] as const

function isLatencySummary(value: object): value is Record<(typeof SUMMARY_KEYS)[number], number> {
  const keys = Object.keys(value)
  return (
    keys.length === SUMMARY_KEYS.length &&
    SUMMARY_KEYS.every((key) => typeof (value as Record<string, unknown>)[key] === 'number')
  )
}

function matches(pattern: string, path: readonly string[]): boolean {
  const parts = pattern.split('.')
  return parts.length === path.length && parts.every((part, i) => part === '*' || part === path[i])
}

/**
 * Every number (and bigint, boolean) in a plain metrics object as a sample named after its path:
 * `{ pool: { idle: 1 } }` → `covet_pool_idle 1`. Children of a `byX` record become an `x` label
 * (`queries.byCode.ERR_DATABASE` → `covet_queries_by_code_total{code="ERR_DATABASE"}`), as does any
 * key that is not a valid metric name (an SQLSTATE class such as `23`). A string (a breaker state)
 * is an info-style sample: `covet_breaker_state{value="closed"} 1`. A latency summary becomes a
 * Prometheus summary (quantile labels, `_sum`, `_count`) plus a `_max` gauge.
 */
export function renderObjectMetrics(prefix: string, metrics: unknown, types: MetricTypes): string {
  const series = new Map<string, { type: MetricType; lines: string[] }>()
  const add = (type: MetricType, name: string, labels: string, value: string, sampleName = name) => {
    let entry = series.get(name)
    if (entry === undefined) series.set(name, (entry = { type, lines: [] }))
    entry.lines.push(`${sampleName}${labels === '' ? '' : `{${labels}}`} ${value}`)
  }
  const typeOf = (path: readonly string[]): MetricType => {
    if (types.counters.some((pattern) => matches(pattern, path))) return 'counter'
    if (types.gauges.some((pattern) => matches(pattern, path))) return 'gauge'
    return 'untyped'
  }
  const leaf = (path: readonly string[], name: string, labels: string, value: string) => {
    const type = typeOf(path)
    add(type, type === 'counter' && !name.endsWith('_total') ? `${name}_total` : name, labels, value)
  }
  const walk = (
    value: unknown,
    path: readonly string[],
    name: string,
    labels: string,
    labelFor: string | undefined,
  ) => {
    const sample = sampleValue(value)
    if (sample !== undefined) return leaf(path, name, labels, sample)
    if (typeof value === 'string') return leaf(path, name, join(labels, `value="${escapeLabel(value)}"`), '1')
    if (value === null || typeof value !== 'object' || Array.isArray(value) || path.length > 6) return
    if (isLatencySummary(value)) {
      for (const [key, quantile] of QUANTILES)
        add('summary', name, join(labels, `quantile="${quantile}"`), String(value[key]))
      add('summary', name, labels, String(value.mean * value.count), `${name}_sum`)
      add('summary', name, labels, String(value.count), `${name}_count`)
      add('gauge', `${name}_max`, labels, String(value.max))
      return
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, key]
      if (labelFor !== undefined || !NAME.test(key)) {
        walk(child, childPath, name, join(labels, `${labelFor ?? 'key'}="${escapeLabel(key)}"`), undefined)
      } else {
        const by = /^by([A-Z]\w*)$/.exec(key)
        walk(child, childPath, `${name}_${snakeCase(key)}`, labels, by ? snakeCase(by[1]!) : undefined)
      }
    }
  }
  walk(metrics, [], prefix, '', undefined)
  const lines: string[] = []
  for (const [name, { type, lines: samples }] of series) lines.push(`# TYPE ${name} ${type}`, ...samples)
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

function join(labels: string, label: string): string {
  return labels === '' ? label : `${labels},${label}`
}

function sampleValue(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'boolean') return value ? '1' : '0'
  return undefined
}

function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
}

function labels(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')
}

/** Label values escape backslash, double quote and newline (exposition format, "Text format details"). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}
