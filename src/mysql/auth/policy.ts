import { AuthenticationError } from '../../errors/classes.js'
import type { MySqlAuthContext } from './exchange.js'

/**
 * When covet sends a password the server can read (caching_sha2_password's full authentication,
 * sha256_password, mysql_clear_password). Such a password is as good as the password to whoever
 * reads it, so it goes only to a peer whose identity was checked:
 *
 * - TLS with a verified certificate: sent as is, inside TLS (what MySQL's clients do).
 * - `serverPublicKey` given: RSA-encrypted with that key, with or without TLS.
 * - TLS whose certificate was not verified (sslmode prefer/require): an active attacker can sit
 *   in the middle, so only with the opt-in by name `allowCleartextPassword`.
 * - `allowPublicKeyRetrieval`: RSA with the key the server sends (MySQL's get-server-public-key;
 *   an attacker in the middle can send its own key).
 * - Never in the clear without TLS, whatever the options: anyone on the path could read it.
 *
 * mysql_clear_password also needs `allowCleartextPassword` over verified TLS, as MySQL's
 * clients need --enable-cleartext-plugin: a server that asks for it is otherwise a downgrade.
 * caching_sha2_password and sha256_password always send an empty password: it has nothing to
 * protect, and accounts without one must still connect without TLS.
 */

export type PasswordRoute = 'tls' | 'rsa-given-key' | 'rsa-request-key'

/** How caching_sha2_password / sha256_password may send a password; undefined when they may not. */
export function passwordRoute(ctx: MySqlAuthContext): PasswordRoute | undefined {
  if (ctx.tlsActive && ctx.tlsVerified) return 'tls'
  if (ctx.serverPublicKey !== undefined) return 'rsa-given-key'
  if (ctx.tlsActive && ctx.allowCleartextPassword) return 'tls'
  if (ctx.allowPublicKeyRetrieval) return 'rsa-request-key'
  return undefined
}

/** Throws unless mysql_clear_password may send the password (see the top of this file). */
export function checkClearPasswordAllowed(ctx: MySqlAuthContext): void {
  if (!ctx.tlsActive) {
    throw new AuthenticationError(
      'the server asks for mysql_clear_password, which covet never uses without TLS: ' +
        'the password would cross the network in clear text',
    )
  }
  if (!ctx.allowCleartextPassword) {
    throw new AuthenticationError(
      'the server asks for mysql_clear_password (the password in clear text inside TLS); ' +
        'set allowCleartextPassword to allow it',
    )
  }
}

/** The ERR_AUTH for passwordRoute() === undefined, saying how to allow it. */
export function passwordRefusal(ctx: MySqlAuthContext, plugin: string): AuthenticationError {
  const keyOptions =
    'give the server RSA public key as serverPublicKey, or set allowPublicKeyRetrieval to use ' +
    'the key the server sends (an attacker in the middle could send its own)'
  if (ctx.tlsActive) {
    return new AuthenticationError(
      `${plugin} needs the password itself, and the TLS certificate of this connection was not ` +
        `verified: verify it (sslmode=verify-full), set allowCleartextPassword to send the ` +
        `password inside this TLS anyway, or ${keyOptions}`,
    )
  }
  return new AuthenticationError(
    `${plugin} needs the password itself, which covet does not send without TLS: use TLS ` +
      `(sslmode=verify-full), or ${keyOptions}`,
  )
}
