/**
 * Notes at rest: titles and tags in the clear (they are searched), bodies sealed with AeadCipher.
 * The associated data binds each sealed body to its note and owner, so a body copied onto another
 * row (or another user's row) fails to decrypt instead of being shown there.
 */
import type { AeadCipher } from '../../../src/crypto/index.js'
import { QueryBuilder, sql } from '../../../src/query/index.js'
import type { Database, Queryable } from './database.js'

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
const pg = () => new QueryBuilder('postgresql')

/** LIKE's wildcards and its escape character, escaped so user text matches literally. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&')
}

export class NoteStore {
  readonly #db: Database
  readonly #cipher: AeadCipher

  constructor(db: Database, cipher: AeadCipher) {
    this.#db = db
    this.#cipher = cipher
  }

  /** The row values for `notes`, in COLUMNS order after user_id: the body sealed for this note. */
  sealRow(userId: string, note: Note): unknown[] {
    const body = this.#cipher.encrypt(note.body, aad(userId, note.id))
    return [note.id, userId, note.title, body, note.tags, new Date(note.createdAt), new Date(note.updatedAt)]
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
      pg()
        .insert('notes')
        .values(rowObject(this.sealRow(userId, note))),
    )
    return note
  }

  async get(userId: string, id: string, db: Queryable = this.#db): Promise<Note | null> {
    const row = await db.executeOne<NoteRow>(
      pg()
        .select(...COLUMNS)
        .from('notes')
        .where('id', '=', id)
        .where('user_id', '=', userId),
    )
    return row === null ? null : this.open(userId, row)
  }

  async list(userId: string, filter: ListFilter): Promise<Note[]> {
    const q = pg()
      .select(...COLUMNS)
      .from('notes')
      .where('user_id', '=', userId)
    // jsonb containment (@>) is not in the builder's operator list: a raw fragment, value still bound.
    if (filter.tags.length > 0) q.where(sql`tags @> ${JSON.stringify(filter.tags)}::jsonb`)
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
      // same old version. The builder has no locking clause, so this statement is written out.
      const row = await tx.executeOne<NoteRow>(
        `SELECT ${COLUMNS.join(', ')} FROM notes WHERE id = $1 AND user_id = $2 FOR UPDATE`,
        [id, userId],
      )
      if (row === null) return null
      const current = this.open(userId, row)
      const next = change({ title: current.title, body: current.body, tags: current.tags })
      const updated: Note = { ...current, ...next, updatedAt: new Date().toISOString() }
      const sealed = this.sealRow(userId, updated)
      await tx.execute(
        pg()
          .update('notes')
          .set({ title: updated.title, body: sealed[3], tags: updated.tags, updated_at: sealed[6] })
          .where('id', '=', id)
          .where('user_id', '=', userId),
      )
      return updated
    })
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const result = await this.#db.execute(
      pg().delete('notes').where('id', '=', id).where('user_id', '=', userId),
    )
    return (result.rowCount ?? 0) > 0
  }

  /** Every note of the user in id order, read through a server-side cursor (bounded memory). */
  async *export(userId: string): AsyncGenerator<Note> {
    const q = pg()
      .select(...COLUMNS)
      .from('notes')
      .where('user_id', '=', userId)
      .orderBy('id', 'asc')
    for await (const row of this.#db.stream<NoteRow>(q)) yield this.open(userId, row)
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
 * the driver returns: a Date (binary type layer) or PostgreSQL's text (`2026-01-02 03:04:05.678+00`,
 * ISO DateStyle, which covet sets in the startup packet).
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
