import type { Socket } from 'node:net'
import { ConnectionError } from '../errors/classes.js'
import { CovetError, isCovetError } from '../errors/covet-error.js'
import { ByteWriter } from '../internal/byte-writer.js'
import type { MySqlConfig } from './config.js'
import { describe, openSocket, upgradeToTls } from './connect-socket.js'
import { callHandler } from './connection-options.js'
import type { InfileIo } from './infile.js'
import { writeQuit } from './protocol/commands.js'
import { PacketReader } from './protocol/packets.js'
import type { StartupIo } from './startup.js'

/**
 * The socket side of a MySqlConnection: the socket (plain, then TLS), incoming payloads through
 * the PacketReader, outgoing packets batched in one ByteWriter and written once per flush. During
 * the connection phase payloads wait in an inbox for startup.ts; afterwards they go straight to
 * the receiver (the pipeline). Any failure ends the session once, for every listener.
 */
export class Wire {
  socket: Socket | undefined
  readonly packets: PacketReader
  readonly out = new ByteWriter(16 * 1024)
  closed = false
  closeError: CovetError | undefined
  #receiver: ((payload: Buffer) => void) | undefined
  #inbox: [Buffer, number][] = []
  #waiter: { resolve: (p: [Buffer, number]) => void; reject: (e: unknown) => void } | undefined
  #lastStartupSeq = 0
  readonly #listeners: ((error: CovetError) => void)[] = []

  constructor(
    readonly config: MySqlConfig,
    maxPacketBytes: number | undefined,
    /** Called first when the session ends (the pipeline fails its commands). */
    private readonly onDestroy: (error: CovetError) => void,
  ) {
    this.packets = new PacketReader(maxPacketBytes === undefined ? {} : { maxPayloadBytes: maxPacketBytes })
  }

  async open(): Promise<void> {
    const socket = await openSocket(this.config)
    this.socket = socket
    if (this.closed) throw this.closeError
    this.#attach(socket)
  }

  /** From now on payloads go to `receiver`, starting with any that arrived early. */
  receive(receiver: (payload: Buffer) => void): void {
    this.#receiver = receiver
    for (const [payload] of this.#inbox.splice(0)) receiver(payload)
  }

  startupIo(): StartupIo {
    return {
      next: () => this.#nextStartupPacket(),
      sequenceId: () => this.#lastStartupSeq,
      bufferedBytes: () => this.packets.bufferedBytes + this.#inbox.length,
      write: (write) => {
        write(this.out)
        this.flush()
      },
      startTls: async () => {
        const raw = this.socket!
        // The TLS socket reads the raw one from now on; our listeners move to it.
        raw.removeAllListeners('data')
        const secure = await upgradeToTls(this.config, raw)
        this.socket = secure
        this.#attach(secure)
      },
    }
  }

  infileIo(): InfileIo {
    return {
      sequenceId: () => this.packets.sequenceId,
      send: (write) => {
        write(this.out)
        if (this.closed || this.socket === undefined) return true
        return this.socket.write(this.out.take())
      },
      drained: () =>
        new Promise<void>((resolve) => {
          if (this.closed) resolve()
          else this.socket!.once('drain', resolve)
          this.onClose(() => resolve())
        }),
      destroy: (error) => this.destroy(error),
    }
  }

  flush(): void {
    if (this.out.length === 0 || this.socket === undefined || this.closed) return
    this.socket.write(this.out.take())
  }

  /** Writes the batched packets, then `packet` (framed by its caller, bulkInsert's) without copying it. */
  writeFramed(packet: Buffer): void {
    this.flush()
    if (!this.closed && this.socket !== undefined) this.socket.write(packet)
  }

  /** Calls `listener` once when the session ends, for any reason (at once if it already has). */
  onClose(listener: (error: CovetError) => void): void {
    if (this.closed) queueMicrotask(() => listener(this.closeError!))
    else this.#listeners.push(listener)
  }

  /** COM_QUIT, then waits for the server to close (at most a second). */
  async quit(sayQuit: boolean): Promise<void> {
    const socket = this.socket
    if (this.closed || socket === undefined) return
    if (sayQuit) {
      writeQuit(this.out)
      this.flush()
    }
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    this.destroy(new ConnectionError('ERR_CONNECTION_CLOSED', 'the connection was closed by close()'), false)
    socket.end()
    const timer = setTimeout(() => socket.destroy(), 1000)
    await closed
    clearTimeout(timer)
  }

  destroy(error: CovetError, destroySocket = true): void {
    if (this.closed) return
    this.closed = true
    this.closeError = error
    this.#waiter?.reject(error)
    this.#waiter = undefined
    this.onDestroy(error)
    if (destroySocket) this.socket?.destroy()
    for (const listener of this.#listeners.splice(0)) callHandler(listener, error)
  }

  #attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      const packets = this.packets
      packets.feed(chunk)
      try {
        for (let p = packets.read(); p !== undefined; p = packets.read()) this.#deliver(p)
      } catch (err) {
        this.destroy(
          isCovetError(err)
            ? err
            : new CovetError('ERR_INTERNAL', 'failed to process a server packet', { cause: err }),
        )
      }
    })
    socket.on('error', (cause) => {
      this.destroy(
        new ConnectionError('ERR_CONNECTION_CLOSED', `connection to ${describe(this.config)} failed`, {
          cause,
        }),
      )
    })
    socket.on('close', () => {
      this.destroy(new ConnectionError('ERR_CONNECTION_CLOSED', 'the server closed the connection'))
    })
  }

  #deliver(payload: Buffer): void {
    if (this.#receiver !== undefined) {
      this.#receiver(payload)
      return
    }
    const item: [Buffer, number] = [payload, this.packets.sequenceId]
    const waiter = this.#waiter
    this.#waiter = undefined
    if (waiter !== undefined) waiter.resolve(item)
    else this.#inbox.push(item)
  }

  #nextStartupPacket(): Promise<Buffer> {
    const take = ([payload, seq]: [Buffer, number]) => {
      this.#lastStartupSeq = seq
      return payload
    }
    const item = this.#inbox.shift()
    if (item !== undefined) return Promise.resolve(take(item))
    if (this.closed) return Promise.reject(this.closeError)
    return new Promise<[Buffer, number]>((resolve, reject) => {
      this.#waiter = { resolve, reject }
    }).then(take)
  }
}
