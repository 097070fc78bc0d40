/** Users and their sessions. Every statement is built with covet's QueryBuilder (values always bound). */
import { QueryBuilder, sql } from '../../../src/query/index.js'
import type { Queryable } from './database.js'

export interface UserRecord {
  id: string
  username: string
  password_hash: string
}

const pg = () => new QueryBuilder('postgresql')

export async function insertUser(db: Queryable, user: UserRecord): Promise<void> {
  await db.execute(
    pg()
      .insert('users')
      .values({ ...user }),
  )
}

export function findUserByName(db: Queryable, username: string): Promise<UserRecord | null> {
  return db.executeOne<UserRecord>(
    pg().select('id', 'username', 'password_hash').from('users').where('username', '=', username),
  )
}

export async function updatePasswordHash(db: Queryable, userId: string, hash: string): Promise<void> {
  await db.execute(pg().update('users').set({ password_hash: hash }).where('id', '=', userId))
}

export async function insertSession(
  db: Queryable,
  session: { tokenHash: string; userId: string; expiresAt: Date },
): Promise<void> {
  await db.execute(
    pg().insert('sessions').values({
      token_hash: session.tokenHash,
      user_id: session.userId,
      expires_at: session.expiresAt,
    }),
  )
}

/** The user of an unexpired session; an expired one is deleted on the way (lazy clean-up). */
export async function findSessionUser(
  db: Queryable,
  tokenHash: string,
): Promise<{ userId: string; username: string } | null> {
  const row = await db.executeOne<{ user_id: string; username: string; expired: boolean }>(
    pg()
      .select('s.user_id', 'u.username', sql`s.expires_at <= now()`.as('expired'))
      .from('sessions', 's')
      .join('users', 's.user_id = u.id', 'inner', 'u')
      .where('s.token_hash', '=', tokenHash),
  )
  if (row === null) return null
  if (row.expired) {
    await db.execute(pg().delete('sessions').where('token_hash', '=', tokenHash))
    return null
  }
  return { userId: row.user_id, username: row.username }
}

export async function deleteSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.execute(pg().delete('sessions').where('token_hash', '=', tokenHash))
}
