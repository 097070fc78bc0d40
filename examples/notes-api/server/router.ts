/**
 * A method + path router for node:http: `/notes/:id` patterns, 404 and 405 (with Allow), HEAD for
 * every GET route, and one place where thrown errors become JSON responses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { HttpError, sendJson } from './http.js'

export interface RequestContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly url: URL
  readonly params: Readonly<Record<string, string>>
}

export type Handler = (ctx: RequestContext) => Promise<void>

/** Maps an error thrown by a handler (or by covet beneath it) to a response, or undefined for a 500. */
export type ErrorMapper = (error: unknown) => HttpError | undefined

interface Route {
  readonly method: string
  readonly pattern: string
  readonly segments: readonly string[]
  readonly handler: Handler
}

export interface Observation {
  method: string
  /** The route pattern (`/notes/:id`), never the raw path: metrics need a bounded label set. */
  route: string
  status: number
  seconds: number
}

export class Router {
  readonly #routes: Route[] = []
  readonly #mapError: ErrorMapper
  readonly #observe: (observation: Observation) => void
  readonly #onUnexpected: (error: unknown) => void

  constructor(options: {
    mapError: ErrorMapper
    observe: (observation: Observation) => void
    onUnexpected: (error: unknown) => void
  }) {
    this.#mapError = options.mapError
    this.#observe = options.observe
    this.#onUnexpected = options.onUnexpected
  }

  add(method: string, pattern: string, handler: Handler): this {
    this.#routes.push({ method, pattern, segments: pattern.split('/').slice(1), handler })
    return this
  }

  /** The request listener for `http.createServer`. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now()
    let route = 'unmatched'
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000
      this.#observe({ method: req.method ?? 'GET', route, status: res.statusCode, seconds })
    })
    const url = new URL(req.url ?? '/', 'http://localhost')
    const found = this.#match(req.method ?? 'GET', url.pathname)
    if (found.kind === 'route') route = found.route.pattern
    const work =
      found.kind === 'route'
        ? found.route.handler({ req, res, url, params: found.params })
        : Promise.reject(found.error)
    work.catch((error: unknown) => this.#fail(res, error))
  }

  #match(
    method: string,
    path: string,
  ): { kind: 'route'; route: Route; params: Record<string, string> } | { kind: 'none'; error: HttpError } {
    const segments = path.split('/').slice(1)
    // RFC 9110 §9.3.2: HEAD is GET without the content; node:http drops the body of a HEAD response
    // and keeps its headers (Content-Length included).
    const wanted = method === 'HEAD' ? 'GET' : method
    const allowed = new Set<string>()
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments)
      if (params === undefined) continue
      if (route.method === wanted) return { kind: 'route', route, params }
      allowed.add(route.method)
      if (route.method === 'GET') allowed.add('HEAD')
    }
    if (allowed.size === 0)
      return { kind: 'none', error: new HttpError(404, 'not_found', `no route for ${path}`) }
    const allow = { allow: [...allowed].join(', ') }
    return {
      kind: 'none',
      error: new HttpError(405, 'method_not_allowed', `${method} is not allowed here`, undefined, allow),
    }
  }

  #fail(res: ServerResponse, error: unknown): void {
    const mapped = error instanceof HttpError ? error : this.#mapError(error)
    // A client that hangs up mid-response (an aborted export) is not a fault of the service.
    const clientGone = (error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE'
    if (mapped === undefined && !clientGone) this.#onUnexpected(error)
    if (res.headersSent) {
      // A streaming response already sent its status: the only honest signal left is a broken body.
      res.destroy(error instanceof Error ? error : undefined)
      return
    }
    for (const [name, value] of Object.entries(mapped?.headers ?? {})) res.setHeader(name, value)
    if (mapped?.status === 401) res.setHeader('www-authenticate', 'Bearer')
    const status = mapped?.status ?? 500
    const body: Record<string, unknown> = {
      error: mapped?.code ?? 'internal_error',
      message: mapped?.message ?? 'internal error',
    }
    if (mapped?.details !== undefined) body.details = mapped.details
    sendJson(res, status, body)
  }
}

function matchSegments(
  pattern: readonly string[],
  path: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!
    const have = path[i]!
    if (want.startsWith(':')) {
      const value = decodeSegment(have)
      if (value === undefined || value === '') return undefined
      params[want.slice(1)] = value
    } else if (want !== have) {
      return undefined
    }
  }
  return params
}

/** A malformed escape (`%zz`) matches nothing rather than throwing URIError out of the router. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}
