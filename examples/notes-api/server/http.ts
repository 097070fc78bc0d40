/** Small helpers over node:http: JSON responses, bounded bodies, errors that carry a status. */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** An error the router turns into a JSON response with this status (and these extra headers). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
}

/** A 415 unless the body's media type is one of `accepted`; `headers` go on the 415 (Accept-Patch). */
export function requireMediaType(
  req: IncomingMessage,
  accepted: readonly string[],
  headers: Readonly<Record<string, string>> = {},
): string {
  const type = mediaType(req)
  if (!accepted.includes(type)) {
    const message = `expected Content-Type ${accepted.join(' or ')}`
    throw new HttpError(415, 'unsupported_media_type', message, undefined, headers)
  }
  return type
}

/** Reads the whole body, refusing more than `limit` bytes (413) before buffering them. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) throw new HttpError(413, 'body_too_large', `the body exceeds ${limit} bytes`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new HttpError(413, 'body_too_large', `the body exceeds ${limit} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, size)
}
