import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { AuthenticationError, InvalidArgumentError } from '../../errors/classes.js'
import { tlsServerEndPoint } from './channel-binding.js'
import { saslprep } from './saslprep.js'

/**
 * SCRAM-SHA-256 and SCRAM-SHA-256-PLUS client (RFC 5802, RFC 7677), as PostgreSQL runs it inside
 * SASLInitialResponse/SASLResponse (§55.3 "SASL Authentication"). The user name in the SCRAM
 * messages is empty: PostgreSQL takes it from the startup packet (§55.3.1).
 */

export type ChannelBindingMode = 'disable' | 'prefer' | 'require'
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-256-PLUS'

export interface ScramOptions {
  password: string
  /** The mechanisms offered by AuthenticationSASL. */
  mechanisms: readonly string[]
  /** libpq's `channel_binding`. Default 'prefer'. */
  channelBinding?: ChannelBindingMode
  /** The server's DER certificate when the connection is TLS; absent on plain TCP. */
  serverCertificate?: Buffer | undefined
  /** Refuse a server that asks for more PBKDF2 iterations (CPU exhaustion). Default 1,000,000. */
  maxIterations?: number
  /**
   * The SCRAM user name. Default '' (empty): PostgreSQL ignores it and uses the startup user, and
   * an empty name avoids SASLprep'ing a role name the server never compares (§55.3.1).
   */
  username?: string
  /** Fixed client nonce, for the RFC test vectors only. */
  clientNonce?: string
}

const DEFAULT_MAX_ITERATIONS = 1_000_000
const pbkdf2Async = promisify(pbkdf2)

/**
 * Salted passwords by (password, salt, iterations), so that a pool opening many connections
 * pays PBKDF2 once (issue 4). Keyed by a SHA-256 of the inputs, so no password is held as a key.
 */
const saltedPasswords = new Map<string, Buffer>()
const SALTED_PASSWORD_CACHE_SIZE = 32

async function saltedPassword(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  const key = createHash('sha256')
    .update(password)
    .update('\0')
    .update(salt)
    .update(`\0${iterations}`)
    .digest('base64')
  const hit = saltedPasswords.get(key)
  if (hit !== undefined) return hit
  const salted = await pbkdf2Async(password, salt, iterations, 32, 'sha256')
  if (saltedPasswords.size >= SALTED_PASSWORD_CACHE_SIZE) {
    saltedPasswords.delete(saltedPasswords.keys().next().value!)
  }
  saltedPasswords.set(key, salted)
  return salted
}

const hmac = (key: Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest()

/** One SCRAM exchange: initialResponse() → continue(server-first) → finish(server-final). */
export class ScramClient {
  readonly mechanism: ScramMechanism
  readonly #password: string
  readonly #clientNonce: string
  readonly #username: string
  readonly #gs2Header: string
  readonly #bindingData: Buffer
  readonly #maxIterations: number
  #serverSignature: Buffer | undefined

  constructor(options: ScramOptions) {
    const mode = options.channelBinding ?? 'prefer'
    const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS
    if (!Number.isInteger(maxIterations) || maxIterations < 1) {
      throw new InvalidArgumentError('maxIterations must be a positive integer')
    }
    this.#maxIterations = maxIterations
    const offersPlus = options.mechanisms.includes('SCRAM-SHA-256-PLUS')
    const tls = options.serverCertificate !== undefined
    if (mode !== 'disable' && tls && offersPlus) {
      this.mechanism = 'SCRAM-SHA-256-PLUS'
      this.#gs2Header = 'p=tls-server-end-point,,'
      this.#bindingData = tlsServerEndPoint(options.serverCertificate!)
    } else if (mode === 'require') {
      throw new AuthenticationError(
        tls
          ? 'channel_binding=require but the server does not offer SCRAM-SHA-256-PLUS'
          : 'channel_binding=require needs a TLS connection',
      )
    } else if (options.mechanisms.includes('SCRAM-SHA-256')) {
      this.mechanism = 'SCRAM-SHA-256'
      // RFC 5802 §6: 'y' = "I support channel binding but think the server does not", which lets
      // a server that does offer it detect a downgrade; 'n' = binding not used at all.
      this.#gs2Header = mode !== 'disable' && tls ? 'y,,' : 'n,,'
      this.#bindingData = Buffer.alloc(0)
    } else {
      throw new AuthenticationError(
        `the server offers no supported SASL mechanism (offered: ${options.mechanisms.join(', ') || 'none'})`,
      )
    }
    // RFC 4013 via RFC 5802 §2.2; like PostgreSQL, a password SASLprep rejects is used as is.
    this.#password = saslprep(options.password) ?? options.password
    this.#clientNonce = options.clientNonce ?? randomBytes(18).toString('base64')
    // RFC 5802 §5.1: ',' and '=' in a saslname are escaped as =2C and =3D.
    this.#username = (options.username ?? '').replaceAll('=', '=3D').replaceAll(',', '=2C')
  }

  get #clientFirstBare(): string {
    return `n=${this.#username},r=${this.#clientNonce}`
  }

  /** The SASLInitialResponse payload (client-first-message, RFC 5802 §7). */
  initialResponse(): Buffer {
    return Buffer.from(this.#gs2Header + this.#clientFirstBare)
  }

  /** Checks server-first-message and returns client-final-message (the SASLResponse payload). */
  async continue(serverFirst: Buffer): Promise<Buffer> {
    const text = serverFirst.toString('utf8')
    const attrs = parseAttributes(text)
    const nonce = attrs.get('r')
    const saltText = attrs.get('s')
    const iterText = attrs.get('i')
    if (text.startsWith('m=') || nonce === undefined || saltText === undefined || iterText === undefined) {
      throw new AuthenticationError('malformed SCRAM server-first-message')
    }
    // RFC 5802 §5.1: the server's nonce must extend ours; otherwise this is a replay or a MITM.
    if (!nonce.startsWith(this.#clientNonce) || nonce.length === this.#clientNonce.length) {
      throw new AuthenticationError('the SCRAM server nonce does not extend the client nonce')
    }
    if (!/^[1-9][0-9]{0,9}$/.test(iterText)) throw new AuthenticationError('malformed SCRAM iteration count')
    const iterations = Number(iterText)
    if (iterations > this.#maxIterations) {
      throw new AuthenticationError(
        `the server asks for ${iterations} SCRAM iterations, more than maxIterations (${this.#maxIterations})`,
      )
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(saltText)) throw new AuthenticationError('malformed SCRAM salt')
    const salt = Buffer.from(saltText, 'base64')
    const salted = await saltedPassword(this.#password, salt, iterations)
    const channel = Buffer.concat([Buffer.from(this.#gs2Header), this.#bindingData]).toString('base64')
    const finalWithoutProof = `c=${channel},r=${nonce}`
    const authMessage = `${this.#clientFirstBare},${text},${finalWithoutProof}`
    const clientKey = hmac(salted, 'Client Key')
    const storedKey = createHash('sha256').update(clientKey).digest()
    const clientSignature = createHmac('sha256', storedKey).update(authMessage).digest()
    for (let i = 0; i < clientKey.length; i++) clientKey[i]! ^= clientSignature[i]!
    this.#serverSignature = createHmac('sha256', hmac(salted, 'Server Key')).update(authMessage).digest()
    return Buffer.from(`${finalWithoutProof},p=${clientKey.toString('base64')}`)
  }

  /** Verifies server-final-message (RFC 5802 §3: the server proves it knows the password too). */
  finish(serverFinal: Buffer): void {
    if (this.#serverSignature === undefined) throw new AuthenticationError('SCRAM exchange out of order')
    const attrs = parseAttributes(serverFinal.toString('utf8'))
    const error = attrs.get('e')
    if (error !== undefined) throw new AuthenticationError(`SCRAM authentication failed: ${error}`)
    const verifier = attrs.get('v')
    const got = verifier === undefined ? undefined : Buffer.from(verifier, 'base64')
    if (got === undefined || got.length !== 32 || !timingSafeEqual(got, this.#serverSignature)) {
      throw new AuthenticationError(
        'the server SCRAM signature is wrong: the server does not know the password',
      )
    }
  }
}

/** `a=value,b=value` (RFC 5802 §7); the first occurrence of an attribute wins. */
function parseAttributes(text: string): Map<string, string> {
  const attrs = new Map<string, string>()
  for (const part of text.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw new AuthenticationError('malformed SCRAM message')
    const name = part[0]!
    if (!attrs.has(name)) attrs.set(name, part.slice(2))
  }
  return attrs
}
