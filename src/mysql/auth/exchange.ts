import { AuthenticationError, ProtocolError } from '../../errors/classes.js'
import { PLUGINS, type PluginSession } from './plugins.js'

/**
 * The client side of MySQL/MariaDB authentication, without I/O (MySQL "Connection Phase",
 * MariaDB "1 - Connecting"): the connection gives it the handshake's plugin and nonce, sends
 * initialResponse() in HandshakeResponse41 under `pluginName`, then hands it every packet that is
 * not OK or ERR until one of those arrives, framing what it returns. Which passwords may cross
 * which channel is policy.ts; the transforms are scramble.ts and ed25519.ts.
 */

export interface MySqlAuthContext {
  readonly user: string
  readonly password: string | undefined
  readonly tlsActive: boolean
  /** The certificate chain and the host name were verified (sslmode=verify-full). */
  readonly tlsVerified: boolean
  readonly allowCleartextPassword: boolean
  readonly allowPublicKeyRetrieval: boolean
  /** PEM */
  readonly serverPublicKey: string | undefined
}

/** AuthSwitchRequest and AuthMoreData status tags (MySQL "Protocol::AuthSwitchRequest", "Protocol::AuthMoreData"). */
const AUTH_SWITCH_REQUEST = 0xfe
const AUTH_MORE_DATA = 0x01

/**
 * MariaDB (10.4+) tries the methods of `IDENTIFIED VIA a OR b OR ...` in turn, each with its own
 * switch; a server that switches more often than this is looping (each switch can cost an
 * Ed25519 signature), so the exchange ends there. The number is a generous guess, not a limit
 * from either server.
 */
const MAX_SWITCHES = 8

/** The answer to a server default plugin covet lacks; the server then switches to the account's. */
const FALLBACK_PLUGIN = 'mysql_native_password'

export class AuthExchange {
  readonly #ctx: MySqlAuthContext
  readonly #password: Buffer
  #pluginName: string
  #session: PluginSession
  #switches = 0

  constructor(ctx: MySqlAuthContext, pluginName: string, scramble: Buffer) {
    this.#ctx = ctx
    this.#password = Buffer.from(ctx.password ?? '', 'utf8')
    // An unknown default plugin is not the account's plugin yet: libmysqlclient answers with its
    // own default and lets the server switch (MySQL "Authentication Method Mismatch").
    this.#pluginName = PLUGINS.has(pluginName) ? pluginName : FALLBACK_PLUGIN
    this.#session = this.#open(this.#pluginName, scramble, true)
  }

  /** The plugin name for HandshakeResponse41 (the one the last switch asked for, after a switch). */
  get pluginName(): string {
    return this.#pluginName
  }

  initialResponse(): Buffer {
    return this.#session.start()
  }

  /**
   * A payload the server sent during auth that is not OK/ERR (0xFE switch, 0x01 more-data).
   * Returns what to send next (the connection frames it), or undefined. Throws CovetError
   * ERR_AUTH for refusals and unsupported plugins, ERR_PROTOCOL for packets that make no sense.
   */
  onPacket(payload: Buffer): Buffer | undefined {
    switch (payload[0]) {
      case AUTH_SWITCH_REQUEST:
        return this.#switch(payload)
      case AUTH_MORE_DATA:
        return this.#session.moreData(payload.subarray(1))
      default:
        throw new ProtocolError(
          payload.length === 0
            ? 'empty packet during authentication'
            : `unexpected packet 0x${payload[0]!.toString(16)} during authentication`,
        )
    }
  }

  /** AuthSwitchRequest: 0xFE, plugin name string[NUL], plugin data string[EOF]. */
  #switch(payload: Buffer): Buffer {
    if (payload.length === 1) {
      // Protocol::OldAuthSwitchRequest: the pre-4.1 hash, broken since 2002.
      throw new AuthenticationError(
        'the server asks for the pre-4.1 mysql_old_password method, which covet does not support',
      )
    }
    if (++this.#switches > MAX_SWITCHES) {
      throw new ProtocolError(`the server switched authentication plugins more than ${MAX_SWITCHES} times`)
    }
    const nul = payload.indexOf(0, 1)
    if (nul === -1) throw new ProtocolError('AuthSwitchRequest without the NUL after the plugin name')
    const name = payload.toString('latin1', 1, nul)
    if (!PLUGINS.has(name)) {
      throw new AuthenticationError(
        `the server asks for the authentication plugin ${printable(name)}, which covet does not support`,
      )
    }
    this.#pluginName = name
    this.#session = this.#open(name, payload.subarray(nul + 1), false)
    return this.#session.start()
  }

  #open(name: string, data: Buffer, handshake: boolean): PluginSession {
    // The 20-byte nonces of MySQL's plugins come with a NUL after them (a C string) in
    // AuthSwitchRequest; client_ed25519's 32 bytes are random and may end in 0, so they stay whole.
    const nonce =
      name !== 'client_ed25519' && data.length > 0 && data[data.length - 1] === 0
        ? data.subarray(0, -1)
        : data
    return PLUGINS.get(name)!(this.#ctx, this.#password, nonce, handshake)
  }
}

/** A server-chosen name for an error message: quoted, cut short, control characters escaped. */
function printable(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}...` : name)
}
