import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SessionTracker } from '../../../../src/postgres/driver/session-state.js'

describe('SessionTracker (dirty bits)', () => {
  it('a clean session needs no reset, an open transaction only a rollback', () => {
    const s = new SessionTracker()
    assert.equal(s.dirty, false)
    assert.equal(s.resetSql('I'), '')
    assert.equal(s.resetSql('T'), 'ROLLBACK')
    assert.equal(s.resetSql('E'), 'ROLLBACK')
  })

  it('learns from command tags and resets only what changed', () => {
    const s = new SessionTracker()
    s.observe('SET')
    assert.equal(s.resetSql('I'), 'SET SESSION AUTHORIZATION DEFAULT; RESET ALL')
    s.observe('LISTEN')
    s.observe('PREPARE')
    s.observe('DECLARE CURSOR')
    assert.equal(
      s.resetSql('T'),
      'ROLLBACK; CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; DEALLOCATE ALL; UNLISTEN *',
    )
    s.clear()
    assert.equal(s.dirty, false)
  })

  it('learns from SQL text what no tag shows', () => {
    const s = new SessionTracker()
    s.observeSql('select * from users where temperature > 3')
    assert.equal(s.dirty, false)
    s.observeSql('CREATE TEMP TABLE t AS SELECT 1')
    assert.equal(s.temporary, true)
    s.observeSql('select pg_advisory_xact_lock(1)')
    assert.equal(s.advisoryLocks, false, 'transaction-level locks end with the transaction')
    s.observeSql('select pg_try_advisory_lock(1)')
    s.observeSql("select set_config('x.y', '1', false)")
    assert.deepEqual([s.advisoryLocks, s.settings], [true, true])
    assert.match(s.resetSql('I'), /pg_advisory_unlock_all\(\).*DISCARD TEMP$/)
  })

  it('reports when the server dropped every prepared statement', () => {
    const s = new SessionTracker()
    s.observe('PREPARE')
    assert.equal(s.observe('DEALLOCATE ALL'), true)
    assert.equal(s.prepared, false)
    s.observe('SET')
    assert.equal(s.observe('DISCARD ALL'), true)
    assert.equal(s.dirty, false)
    assert.equal(s.observe('SELECT 1'), false)
    s.observe('DISCARD TEMP')
    assert.equal(s.temporary, false)
  })

  it('notes statements that may undo what an onConnect hook set, without dirtying the session', () => {
    for (const tag of ['RESET', 'DISCARD ALL', 'DISCARD TEMP', 'DEALLOCATE', 'DEALLOCATE ALL', 'UNLISTEN']) {
      const s = new SessionTracker()
      s.observe(tag)
      assert.equal(s.undone, true, tag)
      assert.equal(s.dirty, false, `${tag} leaves nothing to reset`)
      s.clear()
      assert.equal(s.undone, false)
    }
    const s = new SessionTracker()
    for (const tag of ['SET', 'SELECT 1', 'LISTEN', 'RESETX']) s.observe(tag)
    assert.equal(s.undone, false)
  })
})
