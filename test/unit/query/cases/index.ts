import type { SqlCase } from './case.js'
import { injectionCases } from './injection.js'
import { mutationCases } from './mutations.js'
import { selectCases } from './select.js'
import { whereCases } from './where.js'

/** Every case, in one list: the unit tests assert its SQL, the integration tests execute it. */
export const ALL_CASES: readonly SqlCase[] = [
  ...selectCases,
  ...whereCases,
  ...mutationCases,
  ...injectionCases,
]
