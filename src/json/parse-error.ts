import { JsonError } from '../errors/classes.js'
import type { ErrorCode } from '../errors/codes.js'

/** Where in the text a decode failed: 0-based `position`, 1-based `line` and `column`. */
export interface JsonTextLocation {
  position: number
  line: number
  column: number
}

/** A decode error that points into the text: line, column and a short excerpt in the message. */
export class JsonParseError extends JsonError {
  static override readonly kind: string = 'JsonParseError'
  readonly position: number
  readonly line: number
  readonly column: number

  constructor(code: ErrorCode, why: string, text: string, position: number, cause?: unknown) {
    const { line, column } = locate(text, position)
    super(
      code,
      `${why} at line ${line}, column ${column} (position ${position}): ${excerpt(text, position)}`,
      {
        cause,
      },
    )
    this.position = position
    this.line = line
    this.column = column
  }
}

export function locate(text: string, position: number): JsonTextLocation {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return { position, line, column: position - lineStart + 1 }
}

const EXCERPT_RADIUS = 24

/** Up to 24 characters either side of the position, control characters escaped, `>>>` at the spot. */
function excerpt(text: string, position: number): string {
  const start = Math.max(0, position - EXCERPT_RADIUS)
  const end = Math.min(text.length, position + EXCERPT_RADIUS)
  const show = (s: string) => JSON.stringify(s).slice(1, -1)
  const before = (start > 0 ? '…' : '') + show(text.slice(start, position))
  const after = show(text.slice(position, end)) + (end < text.length ? '…' : '')
  return `${before}>>>${after}`
}
