/**
 * The JSON-Schema-Test-Suite (draft 2020-12) records that ajv 8, which covet validates with, does
 * not pass, each with the reason. schema.vectors.test.ts checks that every other record passes and
 * that each record listed here still fails (so the list cannot go stale silently).
 * Keys: "file | group" for a group whose schema does not compile or whose validation throws,
 * "file | group | test" for a single wrong answer.
 */
const DYNAMIC = 'ajv 8 implements $dynamicRef partially: hash-fragment targets only, no full dynamic scope'
const UNEVALUATED =
  'ajv 8 does not collect every annotation unevaluatedItems/Properties need (contains, if without then, nested items)'
const EMPTY_ENUM = 'ajv checks schemas against its own stricter meta-schema, which refuses an empty enum'
const RELATIVE_URI = "ajv's $id/$ref URI resolution overflows the stack on these relative and URN chains"
const PROTO_NAME = 'a data member named __proto__: ajv reads it through the JavaScript prototype'
const VOCABULARY = 'ajv ignores $vocabulary in custom meta-schemas'
const CROSS_DRAFT = 'covet runs ajv for draft 2020-12 only; remotes of older drafts are not loaded'
const FLOAT_OVERFLOW = 'optional: multipleOf on a number that overflows a double'
const UNKNOWN_KEYWORD_ID = 'optional: ajv registers an $id found inside an unknown keyword'

export const KNOWN_FAILURES: ReadonlyMap<string, string> = new Map([
  [
    'dynamicRef.json | A $dynamicRef to a $dynamicAnchor in the same schema resource behaves like a normal $ref to an $anchor | An array of strings is valid',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | A $dynamicRef to an $anchor in the same schema resource behaves like a normal $ref to an $anchor | An array of strings is valid',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | A $dynamicRef resolves to the first $dynamicAnchor still in scope that is encountered when the schema is evaluated | An array of strings is valid',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | A $dynamicRef without anchor in fragment behaves identical to $ref | An array of numbers is valid',
    DYNAMIC,
  ],
  [
    "dynamicRef.json | A $dynamicRef with intermediate scopes that don't include a matching $dynamicAnchor does not affect dynamic scope resolution | An array of strings is valid",
    DYNAMIC,
  ],
  [
    'dynamicRef.json | An $anchor with the same name as a $dynamicAnchor is not used for dynamic scope resolution | Any array is valid',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | A $dynamicRef without a matching $dynamicAnchor in the same schema resource behaves like a normal $ref to $anchor | Any array is valid',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | A $dynamicRef with a non-matching $dynamicAnchor in the same schema resource behaves like a normal $ref to $anchor | Any array is valid',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | A $dynamicRef that initially resolves to a schema with a matching $dynamicAnchor resolves to the first $dynamicAnchor in the dynamic scope',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | A $dynamicRef that initially resolves to a schema without a matching $dynamicAnchor behaves like a normal $ref to $anchor',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | multiple dynamic paths to the $dynamicRef keyword | number list with string values',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | multiple dynamic paths to the $dynamicRef keyword | string list with number values',
    DYNAMIC,
  ],
  ['dynamicRef.json | after leaving a dynamic scope, it is not used by a $dynamicRef', DYNAMIC],
  [
    'dynamicRef.json | tests for implementation dynamic anchor and reference link | correct extended schema',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | $ref and $dynamicAnchor are independent of order - $defs first | correct extended schema',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | $ref and $dynamicAnchor are independent of order - $ref first | correct extended schema',
    DYNAMIC,
  ],
  ['dynamicRef.json | $ref to $dynamicRef finds detached $dynamicAnchor', DYNAMIC],
  [
    'dynamicRef.json | $dynamicRef points to a boolean schema | follow $dynamicRef to a false schema',
    DYNAMIC,
  ],
  [
    'dynamicRef.json | $dynamicRef skips over intermediate resources - direct reference | integer property passes',
    DYNAMIC,
  ],
  ['dynamicRef.json | $dynamicRef avoids the root of each schema, but scopes are still registered', DYNAMIC],
  ['enum.json | empty enum', EMPTY_ENUM],
  ['optional/cross-draft.json | refs to historic drafts are processed as historic drafts', CROSS_DRAFT],
  [
    'optional/dynamicRef.json | $dynamicRef skips over intermediate resources - pointer reference across resource boundary | integer property passes',
    DYNAMIC,
  ],
  [
    'optional/float-overflow.json | all integers are multiples of 0.5, if overflow is handled | valid if optional overflow handling is implemented',
    FLOAT_OVERFLOW,
  ],
  [
    'optional/format-assertion.json | schema that uses custom metaschema with format-assertion: false',
    VOCABULARY,
  ],
  [
    'optional/format-assertion.json | schema that uses custom metaschema with format-assertion: true',
    VOCABULARY,
  ],
  [
    'optional/unknownKeyword.json | $id inside an unknown keyword is not a real identifier',
    UNKNOWN_KEYWORD_ID,
  ],
  [
    'properties.json | properties whose names are Javascript object property names | __proto__ not valid',
    PROTO_NAME,
  ],
  ['ref.json | refs with relative uris and defs', RELATIVE_URI],
  ['ref.json | relative refs with absolute uris and defs', RELATIVE_URI],
  ['ref.json | URN ref with nested pointer ref', RELATIVE_URI],
  ['unevaluatedItems.json | unevaluatedItems with nested items | with no additional items', UNEVALUATED],
  ['unevaluatedItems.json | unevaluatedItems with nested items | with invalid additional item', UNEVALUATED],
  ['unevaluatedItems.json | unevaluatedItems with $dynamicRef', DYNAMIC],
  [
    'unevaluatedItems.json | unevaluatedItems depends on adjacent contains | contains passes, second item is not evaluated',
    UNEVALUATED,
  ],
  [
    'unevaluatedItems.json | unevaluatedItems depends on multiple nested contains | 7 not evaluated, fails unevaluatedItems',
    UNEVALUATED,
  ],
  [
    "unevaluatedItems.json | unevaluatedItems and contains interact to control item dependency relationship | only b's are invalid",
    UNEVALUATED,
  ],
  [
    "unevaluatedItems.json | unevaluatedItems and contains interact to control item dependency relationship | only c's are invalid",
    UNEVALUATED,
  ],
  [
    "unevaluatedItems.json | unevaluatedItems and contains interact to control item dependency relationship | only b's and c's are invalid",
    UNEVALUATED,
  ],
  [
    "unevaluatedItems.json | unevaluatedItems and contains interact to control item dependency relationship | only a's and c's are invalid",
    UNEVALUATED,
  ],
  [
    'unevaluatedItems.json | unevaluatedItems with minContains = 0 | all items evaluated by contains',
    UNEVALUATED,
  ],
  [
    'unevaluatedItems.json | unevaluatedItems can see annotations from if without then and else | valid in case if is evaluated',
    UNEVALUATED,
  ],
  [
    'unevaluatedProperties.json | unevaluatedProperties with if/then/else, then not defined | when if is true and has no unevaluated properties',
    UNEVALUATED,
  ],
  [
    'unevaluatedProperties.json | unevaluatedProperties with if/then/else, then not defined | when if is false and has unevaluated properties',
    UNEVALUATED,
  ],
  ['unevaluatedProperties.json | unevaluatedProperties with $dynamicRef', DYNAMIC],
  [
    'unevaluatedProperties.json | unevaluatedProperties can see annotations from if without then and else | valid in case if is evaluated',
    UNEVALUATED,
  ],
  [
    'vocabulary.json | schema that uses custom metaschema with with no validation vocabulary | no validation: invalid number, but it still validates',
    VOCABULARY,
  ],
])
