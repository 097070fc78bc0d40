import { JsonError } from '../errors/classes.js'

// Byte values (RFC 8259 §2): structural characters, quote, backslash and the four whitespaces.
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const LINE_FEED = 0x0a

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === LINE_FEED || byte === 0x0d || byte === 0x09
}

/** One complete item cut from the stream: its bytes, its index and where it started. */
export interface ScannedItem {
  bytes: Buffer
  index: number
  /** Byte offset of the item in the whole stream. */
  offset: number
  /** 1-based line (NDJSON). */
  line: number
}

/**
 * Cuts a byte stream into items without parsing them: NDJSON at line feeds, or the elements of
 * one top-level array at depth-1 commas (tracking strings and nesting only). Memory is bounded by
 * the largest item (maxItemBytes), never by the stream.
 */
export class ItemScanner {
  private parts: Buffer[] = []
  private partBytes = 0
  private streamOffset = 0
  private itemOffset = 0
  private index = 0
  private line = 1
  // Array-mode state, kept across chunks.
  private started = false
  private finished = false
  private depth = 0
  private inString = false
  private escaped = false
  private inItem = false

  constructor(
    private readonly mode: 'ndjson' | 'array',
    private readonly maxItemBytes: number,
  ) {}

  get isNdjson(): boolean {
    return this.mode === 'ndjson'
  }

  /** Items completed by this chunk, in order. */
  push(chunk: Buffer): ScannedItem[] {
    const items: ScannedItem[] = []
    if (this.mode === 'ndjson') this.scanLines(chunk, items)
    else this.scanArray(chunk, items)
    this.streamOffset += chunk.length
    return items
  }

  /** Call at the end of the stream; returns a last unterminated NDJSON line, or fails a cut array. */
  end(): ScannedItem[] {
    if (this.mode === 'ndjson') {
      const items: ScannedItem[] = []
      if (this.partBytes > 0) this.emit(Buffer.concat(this.parts), items)
      return items
    }
    if (!this.finished)
      this.fail(
        this.started ? 'The stream ended inside the top-level array' : 'The stream holds no JSON array',
      )
    return []
  }

  private fail(why: string, at = this.streamOffset): never {
    throw new JsonError('ERR_JSON_PARSE', `${why} (byte ${at}, item ${this.index})`)
  }

  private keep(part: Buffer): void {
    this.partBytes += part.length
    if (this.partBytes > this.maxItemBytes)
      this.fail(`An item is larger than maxItemBytes (${this.maxItemBytes})`)
    this.parts.push(part)
  }

  private take(last: Buffer): Buffer {
    if (this.partBytes + last.length > this.maxItemBytes) {
      this.fail(`An item is larger than maxItemBytes (${this.maxItemBytes})`)
    }
    const bytes = this.parts.length === 0 ? last : Buffer.concat([...this.parts, last])
    this.parts = []
    this.partBytes = 0
    return bytes
  }

  private emit(bytes: Buffer, items: ScannedItem[]): void {
    items.push({ bytes, index: this.index++, offset: this.itemOffset, line: this.line })
  }

  private scanLines(chunk: Buffer, items: ScannedItem[]): void {
    let start = 0
    for (let nl = chunk.indexOf(LINE_FEED); nl !== -1; nl = chunk.indexOf(LINE_FEED, start)) {
      const line = this.take(chunk.subarray(start, nl))
      // NDJSON / JSON Lines: blank lines carry no value and are not items.
      if (!isBlank(line)) this.emit(line, items)
      this.line++
      start = nl + 1
      this.itemOffset = this.streamOffset + start
    }
    if (start < chunk.length) this.keep(chunk.subarray(start))
  }

  private scanArray(chunk: Buffer, items: ScannedItem[]): void {
    let i = 0
    let itemStart = this.inItem ? 0 : -1
    const length = chunk.length
    while (i < length) {
      const byte = chunk[i]!
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false
          i++
          continue
        }
        // Jump to the next quote natively; it closes the string unless an odd run of backslashes
        // precedes it.
        const quote = chunk.indexOf(QUOTE, i)
        if (quote === -1) {
          this.escaped = oddBackslashRun(chunk, length, i)
          i = length
          continue
        }
        if (!oddBackslashRun(chunk, quote, i)) this.inString = false
        i = quote + 1
        continue
      }
      if (this.finished) {
        if (!isWhitespace(byte)) this.fail('Unexpected data after the top-level array', this.streamOffset + i)
        i++
        continue
      }
      if (!this.started) {
        if (byte === OPEN_BRACKET) this.started = true
        else if (!isWhitespace(byte))
          this.fail('The stream does not start with a JSON array', this.streamOffset + i)
        i++
        continue
      }
      if (!this.inItem) {
        if (isWhitespace(byte)) {
          i++
          continue
        }
        if (byte === CLOSE_BRACKET && this.index === 0 && this.depth === 0) {
          this.finished = true
          i++
          continue
        }
        this.inItem = true
        itemStart = i
        this.itemOffset = this.streamOffset + i
      }
      if (byte === QUOTE) this.inString = true
      else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) this.depth++
      else if ((byte === CLOSE_BRACKET || byte === CLOSE_BRACE) && this.depth > 0) this.depth--
      else if (this.depth === 0 && (byte === COMMA || byte === CLOSE_BRACKET)) {
        this.emit(this.take(chunk.subarray(itemStart, i)), items)
        this.inItem = false
        itemStart = -1
        if (byte === CLOSE_BRACKET) this.finished = true
      }
      i++
    }
    if (this.inItem) this.keep(chunk.subarray(itemStart))
  }
}

/** Whether the backslashes right before `end` (back to `start`) are odd in number. */
function oddBackslashRun(chunk: Buffer, end: number, start: number): boolean {
  let j = end - 1
  while (j >= start && chunk[j] === BACKSLASH) j--
  return (end - 1 - j) % 2 === 1
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (!isWhitespace(byte)) return false
  return true
}
