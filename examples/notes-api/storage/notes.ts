/**
 * Notes at rest: titles and tags in the clear (they are searched), bodies sealed with AeadCipher.
 * The associated data binds each sealed body to its note and owner, so a body copied onto another
 * row (or another user's row) fails to decrypt instead of being shown there.
 */
import type { AeadCipher } from '../../../src/crypto/index.js'
import { affectedRows, type Database, type Queryable } from './database.js'
import type { SqlDialect } from './dialect.js'

export interface NoteContent {
  title: string
  body: string
  tags: string[]
}

export interface Note extends NoteContent {
  id: string
  createdAt: string
  updatedAt: string
}

export interface ListFilter {
  /** Every listed tag must be on the note. */
  tags: string[]
  /** Case-insensitive substring of the title. */
  titleContains?: string
  createdAfter?: string
  createdBefore?: string
  /** Paging cursor: notes with an id after (ascending) or before (descending) this one. */
  after?: string
  order: 'asc' | 'desc'
  limit: number
}

interface NoteRow {
  id: string
  title: string
  body: Buffer
  tags: string[]
  created_at: unknown
  updated_at: unknown
}

const COLUMNS = ['id', 'title', 'body', 'tags', 'created_at', 'updated_at'] as const

/** LIKE's wildcards and its escape character, escaped so user text matches literally. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&')
}

export class NoteStore {
  readonly #db: Database
  readonly #dialect: SqlDialect
  readonly #cipher: AeadCipher

  constructor(db: Database, dialect: SqlDialect, cipher: AeadCipher) {
    this.#db = db
    this.#dialect = dialect
    this.#cipher = cipher
  }

  #q() {
    return this.#dialect.builder()
  }

  /** The row values for `notes`, in COLUMNS order after user_id: the body sealed for this note. */
  sealRow(userId: string, note: Note): unknown[] {
    const body = this.#cipher.encrypt(note.body, aad(userId, note.id))
    const tags = this.#dialect.tagsValue(note.tags)
    return [note.id, userId, note.title, body, tags, new Date(note.createdAt), new Date(note.updatedAt)]
  }

  open(userId: string, row: NoteRow): Note {
    return {
      id: row.id,
      title: row.title,
      body: this.#cipher.decryptText(row.body, aad(userId, row.id)),
      tags: row.tags,
      createdAt: toIsoTimestamp(row.created_at),
      updatedAt: toIsoTimestamp(row.updated_at),
    }
  }

  async create(userId: string, note: Note): Promise<Note> {
    await this.#db.execute(
      this.#q()
        .insert('notes')
        .values(rowObject(this.sealRow(userId, note))),
    )
    return note
  }

  async get(userId: string, id: string, db: Queryable = this.#db): Promise<Note | null> {
    const row = await db.executeOne<NoteRow>(this.#byId(userId, id))
    return row === null ? null : this.open(userId, row)
  }

  async list(userId: string, filter: ListFilter): Promise<Note[]> {
    const q = this.#q()
      .select(...COLUMNS)
      .from('notes')
      .where('user_id', '=', userId)
    if (filter.tags.length > 0) q.where(this.#dialect.tagsContain(filter.tags))
    if (filter.titleContains !== undefined)
      q.where('title', 'ilike', `%${likeLiteral(filter.titleContains)}%`)
    if (filter.createdAfter !== undefined) q.where('created_at', '>=', new Date(filter.createdAfter))
    if (filter.createdBefore !== undefined) q.where('created_at', '<', new Date(filter.createdBefore))
    if (filter.after !== undefined) q.where('id', filter.order === 'asc' ? '>' : '<', filter.after)
    q.orderBy('id', filter.order).limit(filter.limit)
    const rows = await this.#db.execute<NoteRow>(q)
    return rows.map((row) => this.open(userId, row))
  }

  /**
   * Reads the note under a row lock, lets `change` compute the new content (it may throw: nothing is
   * written then) and stores it, all in one transaction.
   */
  async update(
    userId: string,
    id: string,
    change: (current: NoteContent) => NoteContent,
  ): Promise<Note | null> {
    return this.#db.transaction(async (tx) => {
      // FOR UPDATE: two concurrent patches of one note apply one after the other, never both to the
      // same old version. The builder has no locking clause; it is the same words in every dialect.
      const select = this.#byId(userId, id).build()
      const row = await tx.executeOne<NoteRow>(`${select.sql} FOR UPDATE`, select.params)
      if (row === null) return null
      const current = this.open(userId, row)
      const next = change({ title: current.title, body: current.body, tags: current.tags })
      const updated: Note = { ...current, ...next, updatedAt: new Date().toISOString() }
      const sealed = this.sealRow(userId, updated)
      await tx.execute(
        this.#q()
          .update('notes')
          .set({ title: updated.title, body: sealed[3], tags: sealed[4], updated_at: sealed[6] })
          .where('id', '=', id)
          .where('user_id', '=', userId),
      )
      return updated
    })
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const result = await this.#db.execute(
      this.#q().delete('notes').where('id', '=', id).where('user_id', '=', userId),
    )
    return affectedRows(result) > 0
  }

  /** Every note of the user in id order, read through a server-side cursor (bounded memory). */
  async *export(userId: string): AsyncGenerator<Note> {
    const q = this.#q()
      .select(...COLUMNS)
      .from('notes')
      .where('user_id', '=', userId)
      .orderBy('id', 'asc')
    for await (const row of this.#db.stream<NoteRow>(q)) yield this.open(userId, row)
  }

  #byId(userId: string, id: string) {
    return this.#q()
      .select(...COLUMNS)
      .from('notes')
      .where('id', '=', id)
      .where('user_id', '=', userId)
  }
}

function aad(userId: string, noteId: string): string {
  return `notes/${userId}/${noteId}`
}

export const NOTE_COLUMNS = ['id', 'user_id', 'title', 'body', 'tags', 'created_at', 'updated_at'] as const

export function rowObject(values: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(NOTE_COLUMNS.map((name, i) => [name, values[i]]))
}

/**
 * Timestamps leave the API as ISO 8601 in UTC with milliseconds (`Date#toISOString`), whichever form
 * the driver returns: a Date (PostgreSQL's binary type layer; MySQL's DATETIME, read in the session
 * time zone covet sets) or PostgreSQL's text (`2026-01-02 03:04:05.678+00`, ISO DateStyle, which
 * covet sets in the startup packet).
 */
function toIsoTimestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'string') {
    // PostgreSQL writes the offset as +HH or +HH:MM and separates date and time with a space;
    // Date.parse needs the ISO forms of both.
    const iso = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')
    const date = new Date(iso)
    if (!Number.isNaN(date.getTime())) return date.toISOString()
  }
  throw new TypeError(`not a timestamp: ${String(value)}`)
}
