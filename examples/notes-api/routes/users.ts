/**
 * Sign-up, login and the bearer-token check the note routes use.
 * - Passwords: PasswordHasher('argon2') (argon2id, OWASP parameters; runs off the event loop).
 * - Tokens: 32 random bytes from SecureRandom; only their SHA-256 (Hasher) is stored, and a token is
 *   found by that hash, so the lookup's timing depends on a value the caller cannot steer.
 * - An unknown user name costs the same argon2 verification as a wrong password (against a dummy
 *   hash), so response times do not reveal which names exist.
 * - Login checks no password policy: a password too short (or a name of the wrong shape) to have
 *   been signed up with is a wrong password, the same 401 after the same argon2 work. A 400 there
 *   would tell a guesser which guesses need not be tried.
 */
import type { IncomingMessage } from 'node:http'
import { Hasher, PasswordHasher, SecureRandom } from '../../../src/crypto/index.js'
import { HttpError, sendJson } from '../server/http.js'
import { readJson } from '../server/json-body.js'
import type { Router } from '../server/router.js'
import type { Database } from '../storage/database.js'
import type { SqlDialect } from '../storage/dialect.js'
import { type UserRecord, UserStore } from '../storage/users.js'

export interface AuthUser {
  userId: string
  username: string
}

const DEFAULT_TTL_SECONDS = 24 * 3600
const MAX_TTL_SECONDS = 30 * 24 * 3600
/** `generateToken(32, { urlsafe: true })`: 32 bytes in base64url without padding. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

const USERNAME = /^[a-z0-9_.-]{3,40}$/
const signUpSchema = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', pattern: USERNAME.source },
    password: { type: 'string', minLength: 8, maxLength: 1024 },
  },
}
const loginSchema = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    // Any string: the policy above is checked after the argon2 work, inside #verify.
    username: { type: 'string' },
    password: { type: 'string' },
    // Clients may ask for a shorter-lived token than the default (a CLI, a test), never a longer one.
    ttlSeconds: { type: 'integer', minimum: 1, maximum: MAX_TTL_SECONDS },
  },
}

export class Auth {
  readonly #users: UserStore
  readonly #passwords = new PasswordHasher('argon2')
  readonly #random = new SecureRandom()
  #dummyHash: Promise<string> | undefined

  constructor(db: Database, dialect: SqlDialect) {
    this.#users = new UserStore(db, dialect)
  }

  routes(router: Router): void {
    router.add('POST', '/users', async ({ req, res }) => {
      const body = await readJson<{ username: string; password: string }>(req, signUpSchema)
      const id = this.#random.generateUuidV7()
      const passwordHash = await this.#passwords.hashPassword(body.password)
      await this.#users.insertUser({ id, username: body.username, password_hash: passwordHash })
      sendJson(res, 201, { id, username: body.username })
    })
    router.add('POST', '/login', async ({ req, res }) => {
      const body = await readJson<{ username: string; password: string; ttlSeconds?: number }>(
        req,
        loginSchema,
      )
      const user = await this.#verify(body.username, body.password)
      const token = this.#random.generateToken(32, { urlsafe: true })
      const expiresAt = new Date(Date.now() + (body.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000)
      await this.#users.insertSession({ tokenHash: hashToken(token), userId: user.id, expiresAt })
      sendJson(res, 200, { token, expiresAt: expiresAt.toISOString() })
    })
    router.add('POST', '/logout', async ({ req, res }) => {
      await this.authenticate(req)
      await this.#users.deleteSession(hashToken(bearerToken(req)))
      res.writeHead(204).end()
    })
  }

  /** The user behind `Authorization: Bearer <token>`, or a 401. */
  async authenticate(req: IncomingMessage): Promise<AuthUser> {
    const token = bearerToken(req)
    if (!TOKEN_SHAPE.test(token)) throw unauthorized('the token is malformed')
    const found = await this.#users.findSessionUser(hashToken(token))
    if (found === null) throw unauthorized('the token is unknown or expired')
    return found
  }

  async #verify(username: string, password: string): Promise<UserRecord> {
    // A name sign-up would refuse names no user (and may hold a NUL, which no text column takes):
    // not looked up. The body limit (1 MiB) bounds the password; argon2 reads it once, into its H0.
    const user = USERNAME.test(username) ? await this.#users.findUserByName(username) : null
    const hash = user?.password_hash ?? (await this.#dummy())
    const ok = await this.#passwords.verifyPassword(password, hash)
    if (user === null || !ok) throw unauthorized('wrong user name or password')
    // Parameters raised since this hash was made (PasswordHasher defaults): upgrade it now that the
    // plain password is at hand.
    if (this.#passwords.needsRehash(user.password_hash)) {
      await this.#users.updatePasswordHash(user.id, await this.#passwords.hashPassword(password))
    }
    return user
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= this.#passwords.hashPassword(this.#random.generateToken(16))
    return this.#dummyHash
  }
}

function hashToken(token: string): string {
  return new Hasher('sha256').update(token).hexdigest()
}

function bearerToken(req: IncomingMessage): string {
  const header = req.headers.authorization ?? ''
  const match = /^Bearer +(\S+)\s*$/i.exec(header)
  if (match === null) throw unauthorized('send Authorization: Bearer <token> (POST /login gives one)')
  return match[1]!
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'unauthorized', message)
}
