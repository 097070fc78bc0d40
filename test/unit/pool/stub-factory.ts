import type { PoolFactory } from '../../../src/pool/pool-options.js'

export interface StubConnection {
  id: number
  alive: boolean
}

/** A stub factory that counts what the pool did, with switches to make each step fail. */
export class StubFactory implements PoolFactory<StubConnection> {
  created = 0
  destroyed = 0
  validated = 0
  resets = 0
  /** Set to an error to make create() reject with it. */
  createError: Error | undefined = undefined
  /** Set to make create() wait this long (ms, real timers). */
  createDelayMs = 0
  validateResult = true
  resetError: Error | undefined = undefined
  readonly live = new Set<StubConnection>()

  async create(signal: AbortSignal): Promise<StubConnection> {
    if (this.createDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.createDelayMs))
    signal.throwIfAborted()
    if (this.createError) throw this.createError
    const connection = { id: ++this.created, alive: true }
    this.live.add(connection)
    return connection
  }

  destroy(connection: StubConnection): void {
    this.destroyed++
    connection.alive = false
    this.live.delete(connection)
  }

  validate(connection: StubConnection): boolean {
    this.validated++
    return this.validateResult && connection.alive
  }

  async reset(): Promise<void> {
    this.resets++
    if (this.resetError) throw this.resetError
  }
}

/** Only create and destroy: the minimal factory. */
export function plainFactory(stub: StubFactory): PoolFactory<StubConnection> {
  return { create: (signal) => stub.create(signal), destroy: (c) => stub.destroy(c) }
}

export function fakeClock(start = 10_000) {
  const clock = { t: start, now: () => clock.t }
  return clock
}

/** Lets pending promise callbacks and zero-delay timers run. */
export const tick = () => new Promise((resolve) => setImmediate(resolve))

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
