/**
 * Users and their sessions. Every statement is built with covet's QueryBuilder in the database's
 * dialect (values always bound).
 */
import { sql } from '../../../src/query/index.js'
import type { Queryable } from './database.js'
import type { SqlDialect } from './dialect.js'

export interface UserRecord {
  id: string
  username: string
  password_hash: string
}

export class UserStore {
  readonly #db: Queryable
  readonly #dialect: SqlDialect

  constructor(db: Queryable, dialect: SqlDialect) {
    this.#db = db
    this.#dialect = dialect
  }

  #q() {
    return this.#dialect.builder()
  }

  async insertUser(user: UserRecord): Promise<void> {
    await this.#db.execute(
      this.#q()
        .insert('users')
        .values({ ...user }),
    )
  }

  findUserByName(username: string): Promise<UserRecord | null> {
    return this.#db.executeOne<UserRecord>(
      this.#q().select('id', 'username', 'password_hash').from('users').where('username', '=', username),
    )
  }

  async updatePasswordHash(userId: string, hash: string): Promise<void> {
    await this.#db.execute(this.#q().update('users').set({ password_hash: hash }).where('id', '=', userId))
  }

  async insertSession(session: { tokenHash: string; userId: string; expiresAt: Date }): Promise<void> {
    await this.#db.execute(
      this.#q().insert('sessions').values({
        token_hash: session.tokenHash,
        user_id: session.userId,
        expires_at: session.expiresAt,
      }),
    )
  }

  /** The user of an unexpired session; an expired one is deleted on the way (lazy clean-up). */
  async findSessionUser(tokenHash: string): Promise<{ userId: string; username: string } | null> {
    const { now } = this.#dialect
    const row = await this.#db.executeOne<{ user_id: string; username: string; expired: unknown }>(
      this.#q()
        .select('s.user_id', 'u.username', sql`s.expires_at <= ${now}`.as('expired'))
        .from('sessions', 's')
        .join('users', 's.user_id = u.id', 'inner', 'u')
        .where('s.token_hash', '=', tokenHash),
    )
    if (row === null) return null
    if (this.#dialect.isTrue(row.expired)) {
      await this.deleteSession(tokenHash)
      return null
    }
    return { userId: row.user_id, username: row.username }
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.#db.execute(this.#q().delete('sessions').where('token_hash', '=', tokenHash))
  }
}
