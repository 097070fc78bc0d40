import { InvalidArgumentError, PoolError } from '../errors/classes.js'
import { poolChannels } from './diagnostics.js'

export type BreakerState = 'closed' | 'open' | 'half-open'

export interface BreakerStateChange {
  from: BreakerState
  to: BreakerState
  /** The failure that opened the breaker (on → open). */
  cause?: unknown
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  failureThreshold?: number
  /** Also open when the failure rate over `windowMs` reaches this (0–1]. Default: off. */
  failureRate?: number
  /** The rolling window of the failure rate, in ms. Default 10 000. */
  windowMs?: number
  /** Calls needed in the window before the failure rate counts. Default 10. */
  minimumCalls?: number
  /** Time open before the first half-open probe, in ms. Default 1 000. */
  baseBackoffMs?: number
  /** Cap of the doubling backoff, in ms. Default 30 000. */
  maxBackoffMs?: number
  /** Fraction of the backoff taken off at random, so many clients do not probe together. Default 0.2. */
  jitter?: number
  /** Told of every state change (also published on `covet:pool:breaker`). */
  onStateChange?: (change: BreakerStateChange) => void
  /** Clock in ms (injectable for tests). Default `performance.now`. */
  now?: () => number
  /** Random source in [0, 1) for the jitter (injectable for tests). Default `Math.random`. */
  random?: () => number
}

export interface CircuitBreakerMetrics {
  state: BreakerState
  consecutiveFailures: number
  /** Transitions into each state since construction. */
  transitions: { open: number; halfOpen: number; closed: number }
  /** When the next half-open probe is allowed (clock ms), while open. */
  retryAt: number
}

const BUCKETS = 10

function check(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new InvalidArgumentError(`CircuitBreaker option ${name} must be a number in [${min}, ${max}]`)
  }
  return value
}

/**
 * A circuit breaker (closed → open → half-open → closed, after Nygard, "Release It!"): it fails
 * fast while a resource is known to be down instead of letting every caller wait for its own
 * timeout, and lets one probe through after a backoff that doubles on each failed probe, with
 * jitter. The pool puts one in front of connection creation; it is usable alone around any call.
 */
export class CircuitBreaker {
  readonly failureThreshold: number
  readonly failureRate: number
  readonly windowMs: number
  readonly minimumCalls: number
  readonly baseBackoffMs: number
  readonly maxBackoffMs: number
  readonly jitter: number
  readonly #onStateChange: ((change: BreakerStateChange) => void) | undefined
  readonly #now: () => number
  readonly #random: () => number

  #state: BreakerState = 'closed'
  #consecutive = 0
  #opens = 0
  #retryAt = 0
  #probeInFlight = false
  readonly #transitions = { open: 0, halfOpen: 0, closed: 0 }
  // Failure-rate window: BUCKETS buckets of windowMs / BUCKETS each.
  readonly #calls = new Float64Array(BUCKETS)
  readonly #failures = new Float64Array(BUCKETS)
  #bucketStart = 0
  #bucket = 0

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = check('failureThreshold', options.failureThreshold, 5, 1, Number.MAX_SAFE_INTEGER)
    this.failureRate = check('failureRate', options.failureRate, 0, 0, 1)
    this.windowMs = check('windowMs', options.windowMs, 10_000, 10, Number.MAX_SAFE_INTEGER)
    this.minimumCalls = check('minimumCalls', options.minimumCalls, 10, 1, Number.MAX_SAFE_INTEGER)
    this.baseBackoffMs = check('baseBackoffMs', options.baseBackoffMs, 1000, 0, Number.MAX_SAFE_INTEGER)
    this.maxBackoffMs = check('maxBackoffMs', options.maxBackoffMs, 30_000, this.baseBackoffMs, 2 ** 31 - 1)
    this.jitter = check('jitter', options.jitter, 0.2, 0, 1)
    for (const name of ['onStateChange', 'now', 'random'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') {
        throw new InvalidArgumentError(`CircuitBreaker option ${name} must be a function`)
      }
    }
    this.#onStateChange = options.onStateChange
    this.#now = options.now ?? performance.now.bind(performance)
    this.#random = options.random ?? Math.random
    this.#bucketStart = this.#now()
  }

  /** The current state; an open breaker whose backoff has passed reads as half-open. */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() >= this.#retryAt) this.#transition('half-open')
    return this.#state
  }

  /** When an open breaker will let a probe through (clock ms). */
  get retryAt(): number {
    return this.#retryAt
  }

  /**
   * True when a call may go ahead now. In half-open only one probe is let through until it
   * reports back; every caller that gets `true` must call `recordSuccess` or `recordFailure`.
   */
  tryAcquire(): boolean {
    const state = this.state
    if (state === 'closed') return true
    if (state === 'open' || this.#probeInFlight) return false
    this.#probeInFlight = true
    return true
  }

  recordSuccess(): void {
    this.#count(false)
    this.#consecutive = 0
    this.#probeInFlight = false
    if (this.#state !== 'closed') {
      this.#opens = 0
      this.#transition('closed')
    }
  }

  recordFailure(cause?: unknown): void {
    this.#count(true)
    this.#consecutive++
    const probeFailed = this.#probeInFlight
    this.#probeInFlight = false
    if (this.#state === 'open') return
    if (probeFailed || this.#state === 'half-open' || this.#tripped()) this.#open(cause)
  }

  /** Runs `fn` through the breaker: fails fast with `ERR_CIRCUIT_OPEN` while open. */
  async run<R>(fn: () => R | Promise<R>): Promise<R> {
    if (!this.tryAcquire()) throw this.openError()
    try {
      const result = await fn()
      this.recordSuccess()
      return result
    } catch (error) {
      this.recordFailure(error)
      throw error
    }
  }

  /** The error callers get while the breaker refuses calls. */
  openError(cause?: unknown): PoolError {
    const wait = Math.max(0, Math.ceil(this.#retryAt - this.#now()))
    return new PoolError(
      'ERR_CIRCUIT_OPEN',
      `Circuit breaker is ${this.#state} after ${this.#consecutive} consecutive failure(s); next probe in ${wait} ms`,
      cause === undefined ? undefined : { cause },
    )
  }

  metrics(): CircuitBreakerMetrics {
    return {
      state: this.state,
      consecutiveFailures: this.#consecutive,
      transitions: { ...this.#transitions },
      retryAt: this.#retryAt,
    }
  }

  #tripped(): boolean {
    if (this.#consecutive >= this.failureThreshold) return true
    if (this.failureRate === 0) return false
    let calls = 0
    let failures = 0
    for (let i = 0; i < BUCKETS; i++) {
      calls += this.#calls[i]!
      failures += this.#failures[i]!
    }
    return calls >= this.minimumCalls && failures / calls >= this.failureRate
  }

  /** Counts a call in the current window bucket, clearing buckets that slid out of the window. */
  #count(failed: boolean): void {
    if (this.failureRate !== 0) {
      const width = this.windowMs / BUCKETS
      const now = this.#now()
      let steps = Math.floor((now - this.#bucketStart) / width)
      if (steps > 0) {
        this.#bucketStart += steps * width
        for (steps = Math.min(steps, BUCKETS); steps > 0; steps--) {
          this.#bucket = (this.#bucket + 1) % BUCKETS
          this.#calls[this.#bucket] = 0
          this.#failures[this.#bucket] = 0
        }
      }
      this.#calls[this.#bucket]!++
      if (failed) this.#failures[this.#bucket]!++
    }
  }

  #open(cause: unknown): void {
    const backoff = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** this.#opens)
    this.#opens++
    // Jitter only shortens the wait, so maxBackoffMs stays a true upper bound.
    this.#retryAt = this.#now() + backoff * (1 - this.jitter * this.#random())
    this.#transition('open', cause)
  }

  #transition(to: BreakerState, cause?: unknown): void {
    const from = this.#state
    this.#state = to
    if (to === 'open') this.#transitions.open++
    else if (to === 'half-open') this.#transitions.halfOpen++
    else this.#transitions.closed++
    const change: BreakerStateChange = cause === undefined ? { from, to } : { from, to, cause }
    if (poolChannels.breaker.hasSubscribers) poolChannels.breaker.publish({ breaker: this, ...change })
    this.#onStateChange?.(change)
  }
}
