import assert from 'node:assert/strict'
import { constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto'
import type { MySqlAuthContext } from '../../../../src/mysql/auth/exchange.js'

/** Shared fixtures for the AuthExchange tests. The password is distinctive so leaks are findable. */
export const PASSWORD = 'Pw-7f3a-s3cr3t'

export function context(overrides: Partial<MySqlAuthContext> = {}): MySqlAuthContext {
  return {
    user: 'covet',
    password: PASSWORD,
    tlsActive: false,
    tlsVerified: false,
    allowCleartextPassword: false,
    allowPublicKeyRetrieval: false,
    serverPublicKey: undefined,
    ...overrides,
  }
}

/**
 * A 20-byte nonce as servers make them: printable bytes, never NUL. A random byte string would end
 * in 0x00 one time in 256, and the exchange strips a trailing NUL (the C string's) from the nonce.
 */
export const nonce20 = (): Buffer => Buffer.from(randomBytes(20).map((b) => 33 + (b % 94)))

export const VERIFIED_TLS = { tlsActive: true, tlsVerified: true } as const
export const UNVERIFIED_TLS = { tlsActive: true, tlsVerified: false } as const

/** AuthMoreData (0x01 + data). */
export const moreData = (...data: (number | Buffer)[]): Buffer =>
  Buffer.concat([Buffer.from([0x01]), ...data.map((d) => (typeof d === 'number' ? Buffer.from([d]) : d))])

/** AuthSwitchRequest (0xFE, name NUL, data). */
export const switchRequest = (plugin: string, data: Buffer): Buffer =>
  Buffer.concat([Buffer.from([0xfe]), Buffer.from(`${plugin}\0`), data])

/** The password the way the clear-password answers carry it. */
export const passwordNul = (password = PASSWORD): Buffer => Buffer.from(`${password}\0`)

export const rsa = (() => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    pem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    /** The password an RSA reply carries: OAEP-decrypt, then XOR with the nonce. */
    decrypt(sealed: Buffer, nonce: Buffer): string {
      const plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, sealed)
      return Buffer.from(plain.map((b, i) => b ^ nonce[i % nonce.length]!)).toString('utf8')
    },
  }
})()

/** Runs `fn`, expects a CovetError with `code`, and checks that the password is nowhere in it. */
export function refused(fn: () => unknown, code: string, message?: RegExp): Error {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  assert.ok(error instanceof Error, 'expected a throw')
  assert.equal((error as { code?: string }).code, code, error.message)
  if (message) assert.match(error.message, message)
  const text = `${error.message}\n${error.stack}\n${String((error as { cause?: unknown }).cause ?? '')}`
  assert.ok(!text.includes(PASSWORD), 'the password appears in the error')
  return error
}
