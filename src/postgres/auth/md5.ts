import { createHash } from 'node:crypto'

/**
 * The AuthenticationMD5Password response (§55.7): `'md5' + md5hex(md5hex(password + user) + salt)`.
 * MD5 password auth is deprecated by PostgreSQL 18; supported because older servers still use it.
 */
export function md5PasswordResponse(user: string, password: string, salt: Buffer): string {
  const inner = createHash('md5').update(password).update(user).digest('hex')
  return 'md5' + createHash('md5').update(inner).update(salt).digest('hex')
}
