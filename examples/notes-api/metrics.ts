/**
 * `GET /metrics` in the Prometheus text exposition format (version 0.0.4): the service's own HTTP
 * counters and latency histogram, plus every number in `driver.metrics()` (pool, statement cache,
 * queries, circuit breaker), flattened so that a new field in the driver shows up without a change here.
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

/**
 * Every number (and bigint, boolean) in a plain metrics object as a gauge named after its path:
 * `{ pool: { idle: 1 } }` → `covet_pool_idle 1`. Children of a `byX` record become an `x` label
 * (`queries.byCode.ERR_DATABASE` → `covet_queries_by_code{code="ERR_DATABASE"}`), as does any key
 * that is not a valid metric name (an SQLSTATE class such as `23`). A string (a breaker state) is
 * an info-style sample: `covet_breaker_state{value="closed"} 1`.
 */
export function renderObjectMetrics(prefix: string, metrics: unknown): string {
  const samples = new Map<string, string[]>()
  const add = (name: string, labels: string, value: string) => {
    const list = samples.get(name) ?? []
    list.push(`${name}${labels === '' ? '' : `{${labels}}`} ${value}`)
    samples.set(name, list)
  }
  const walk = (
    value: unknown,
    name: string,
    labels: string,
    labelFor: string | undefined,
    depth: number,
  ) => {
    const sample = sampleValue(value)
    if (sample !== undefined) return add(name, labels, sample)
    if (typeof value === 'string') return add(name, join(labels, `value="${escapeLabel(value)}"`), '1')
    if (value === null || typeof value !== 'object' || Array.isArray(value) || depth > 6) return
    for (const [key, child] of Object.entries(value)) {
      if (labelFor !== undefined || !NAME.test(key)) {
        walk(child, name, join(labels, `${labelFor ?? 'key'}="${escapeLabel(key)}"`), undefined, depth + 1)
      } else {
        const by = /^by([A-Z]\w*)$/.exec(key)
        walk(child, `${name}_${snakeCase(key)}`, labels, by ? snakeCase(by[1]!) : undefined, depth + 1)
      }
    }
  }
  walk(metrics, prefix, '', undefined, 0)
  const lines: string[] = []
  for (const [name, list] of samples) lines.push(`# TYPE ${name} gauge`, ...list)
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
