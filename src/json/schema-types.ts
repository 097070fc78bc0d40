/** The JSON Schema shape covet reads itself (the serializer compiler); validation is ajv's. */
export interface JsonSchemaObject {
  $id?: string
  $schema?: string
  $ref?: string
  $defs?: Record<string, JsonSchemaObject | boolean>
  definitions?: Record<string, JsonSchemaObject | boolean>
  type?: JsonSchemaType | JsonSchemaType[]
  nullable?: boolean
  properties?: Record<string, JsonSchemaObject | boolean>
  required?: string[]
  additionalProperties?: JsonSchemaObject | boolean
  /** A schema for every item; an array is draft-07's tuple form (then additionalItems applies). */
  items?: JsonSchemaObject | boolean | (JsonSchemaObject | boolean)[]
  additionalItems?: JsonSchemaObject | boolean
  prefixItems?: (JsonSchemaObject | boolean)[]
  anyOf?: (JsonSchemaObject | boolean)[]
  oneOf?: (JsonSchemaObject | boolean)[]
  enum?: unknown[]
  const?: unknown
  format?: string
  [keyword: string]: unknown
}

export type JsonSchemaType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array'
