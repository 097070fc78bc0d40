import { ProtocolError } from '../../errors/classes.js'
import { ed25519Sign } from './ed25519.js'
import type { MySqlAuthContext } from './exchange.js'
import { checkClearPasswordAllowed, passwordRefusal, passwordRoute } from './policy.js'
import {
  cachingSha2Scramble,
  nativePasswordScramble,
  nulTerminated,
  parseRsaPublicKey,
  rsaEncryptPassword,
} from './scramble.js'

/**
 * One client authentication plugin's side of the exchange, for one nonce. The server wraps the
 * plugin's packets in AuthMoreData (0x01 + data, MySQL "Protocol::AuthMoreData"); the client's
 * replies go unwrapped. OK, ERR and AuthSwitchRequest are the connection's and exchange.ts's.
 */
export interface PluginSession {
  /** The first response to the nonce (HandshakeResponse41's auth data, or an AuthSwitchResponse). */
  start(): Buffer
  /** The data of an AuthMoreData packet, without the 0x01; returns the reply, if any. */
  moreData(data: Buffer): Buffer | undefined
}

/** `handshake`: the nonce is the initial handshake's, not one the plugin's server side sent. */
type SessionFactory = (
  ctx: MySqlAuthContext,
  password: Buffer,
  nonce: Buffer,
  handshake: boolean,
) => PluginSession

function unexpected(plugin: string, data: Buffer): ProtocolError {
  return new ProtocolError(
    `unexpected AuthMoreData during ${plugin} (${data.length} bytes, first 0x${(data[0] ?? 0).toString(16)})`,
  )
}

/** Plugins whose whole exchange is one response to the nonce. */
function oneShot(plugin: string, respond: () => Buffer): PluginSession {
  return {
    start: respond,
    moreData(data) {
      throw unexpected(plugin, data)
    },
  }
}

/** The password to the server when passwordRoute() allows it: inside TLS or RSA-encrypted. */
class PasswordSender {
  #keyRequested = false

  constructor(
    private readonly plugin: string,
    private readonly ctx: MySqlAuthContext,
    private readonly password: Buffer,
    private readonly nonce: Buffer,
    /** The byte that asks the server for its public key: 0x02 for caching_sha2, 0x01 for sha256. */
    private readonly keyRequest: number,
  ) {}

  get keyRequested(): boolean {
    return this.#keyRequested
  }

  /** Whether send() would refuse: a non-empty password and no route for it. */
  get refused(): boolean {
    return this.password.length > 0 && passwordRoute(this.ctx) === undefined
  }

  send(): Buffer {
    if (this.password.length === 0) return nulTerminated(this.password)
    switch (passwordRoute(this.ctx)) {
      case 'tls':
        return nulTerminated(this.password)
      case 'rsa-given-key':
        return rsaEncryptPassword(
          parseRsaPublicKey(this.ctx.serverPublicKey!, 'serverPublicKey'),
          this.password,
          this.nonce,
        )
      case 'rsa-request-key':
        this.#keyRequested = true
        return Buffer.from([this.keyRequest])
      case undefined:
        throw passwordRefusal(this.ctx, this.plugin)
    }
  }

  /** The public key response ("0x01 + PEM" with the 0x01 already removed). */
  encryptWithServerKey(pem: Buffer): Buffer {
    this.#keyRequested = false
    return rsaEncryptPassword(parseRsaPublicKey(pem, 'server'), this.password, this.nonce)
  }
}

/** caching_sha2_password: fast-auth results of AuthMoreData (MySQL "Caching_sha2_password information"). */
const FAST_AUTH_SUCCESS = 0x03
const PERFORM_FULL_AUTHENTICATION = 0x04

function cachingSha2(ctx: MySqlAuthContext, password: Buffer, nonce: Buffer): PluginSession {
  const sender = new PasswordSender('caching_sha2_password', ctx, password, nonce, 0x02)
  let state: 'scramble-sent' | 'key-requested' | 'done' = 'scramble-sent'
  return {
    start: () => cachingSha2Scramble(password, nonce),
    moreData(data) {
      if (state === 'scramble-sent' && data.length === 1 && data[0] === FAST_AUTH_SUCCESS) {
        state = 'done' // the server's cache knew the account; its OK follows
        return undefined
      }
      if (state === 'scramble-sent' && data.length === 1 && data[0] === PERFORM_FULL_AUTHENTICATION) {
        const reply = sender.send()
        state = sender.keyRequested ? 'key-requested' : 'done'
        return reply
      }
      if (state === 'key-requested') {
        state = 'done'
        return sender.encryptWithServerKey(data)
      }
      throw unexpected('caching_sha2_password', data)
    },
  }
}

/**
 * sha256_password: the first response is already the password (MariaDB "Connecting via
 * sha256_password"). When covet may not send it, the first response asks for the public key
 * instead and the refusal waits for the key: a server whose default plugin is sha256_password
 * switches accounts of other plugins away before that, and those must still connect.
 */
function sha256(ctx: MySqlAuthContext, password: Buffer, nonce: Buffer): PluginSession {
  const sender = new PasswordSender('sha256_password', ctx, password, nonce, 0x01)
  let refused = false
  let waitingForKey = false
  return {
    start() {
      refused = sender.refused
      const reply = refused ? Buffer.from([0x01]) : sender.send()
      waitingForKey = refused || sender.keyRequested
      return reply
    },
    moreData(data) {
      if (!waitingForKey) throw unexpected('sha256_password', data)
      waitingForKey = false
      if (refused) throw passwordRefusal(ctx, 'sha256_password')
      return sender.encryptWithServerKey(data)
    },
  }
}

/** MariaDB's client_ed25519 nonce: 32 bytes (plugin/auth_ed25519/server_ed25519.c, NONCE_BYTES). */
const ED25519_NONCE_BYTES = 32

/** The client plugins covet implements, by the name the server gives. */
export const PLUGINS: ReadonlyMap<string, SessionFactory> = new Map<string, SessionFactory>([
  [
    'mysql_native_password',
    (_ctx, password, nonce) =>
      oneShot('mysql_native_password', () => nativePasswordScramble(password, nonce)),
  ],
  ['caching_sha2_password', cachingSha2],
  ['sha256_password', sha256],
  [
    'client_ed25519',
    (_ctx, password, nonce, handshake) =>
      oneShot('client_ed25519', () => {
        // The 20-byte handshake nonce is not the plugin's: MariaDB's server answers an empty
        // response with an AuthSwitchRequest carrying its 32-byte nonce (checked on 10.11).
        if (handshake && nonce.length !== ED25519_NONCE_BYTES) return Buffer.alloc(0)
        if (nonce.length !== ED25519_NONCE_BYTES) {
          throw new ProtocolError(
            `client_ed25519 needs a 32-byte nonce; the server sent ${nonce.length} bytes`,
          )
        }
        return ed25519Sign(password, nonce)
      }),
  ],
  [
    'mysql_clear_password',
    (ctx, password) =>
      oneShot('mysql_clear_password', () => {
        checkClearPasswordAllowed(ctx)
        return nulTerminated(password)
      }),
  ],
])
