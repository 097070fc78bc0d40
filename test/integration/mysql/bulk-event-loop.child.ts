/**
 * Run by bulk-insert.test.ts in a plain Node process: the test runner's async hooks make every
 * promise a tracked resource, so GC alone would hold the loop for tens of ms there (measured with
 * a bare createHook({ destroy }) in a plain process: 24 ms per tick against 5 without). Prints
 * the loop thread's longest busy stretch while 50,000 rows are encoded into one command, per
 * attempt, as JSON.
 */
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { probeLoop } from '../../support/event-loop-probe.js'
import { COLUMNS, count, createTable, rows } from './bulk-fixture.js'

const conn = await MySqlConnection.connect(process.env.COVET_BULK_URL!)
await createTable(conn, 'bulk_e')
const input = rows(50_000)
const busy: number[] = []
for (let attempt = 0; attempt < 3; attempt++) {
  await conn.query('TRUNCATE bulk_e')
  // All rows go into one 16 MiB-bound command, which is not finished (so not written: a socket
  // write costs what the kernel does) until the source ends, held here at a gate.
  let atGate!: () => void
  let openGate!: () => void
  const reached = new Promise<void>((resolve) => (atGate = resolve))
  const gate = new Promise<void>((resolve) => (openGate = resolve))
  async function* source() {
    yield* input
    atGate()
    await gate
  }
  const running = conn.bulkInsert('bulk_e', COLUMNS, source(), { maxPacketBytes: 16 << 20 })
  const probe = await probeLoop(() => reached)
  openGate()
  await running
  busy.push(probe.busyMs)
}
console.log(JSON.stringify({ busy, rows: await count(conn, 'bulk_e') }))
await conn.close()
