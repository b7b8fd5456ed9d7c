/** Small TypeBox helpers the contract's shapes share. */
import { Type, type Static, type TOptional, type TSchema } from 'typebox'

/** `T | null` as one JSON-schema type list, so a wrong type yields one clear error, not three. */
export function Nullable<T extends TSchema>(schema: T) {
  const { type, ...rest } = schema as unknown as { type: string }
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] })
}

/** One `enum` keyword (not anyOf of consts), so a wrong value gets one error listing the choices. */
export function enumOf<T extends readonly string[]>(values: T, description: string) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], description })
}

/** Every property of a schema map made optional, keeping each one's static type. */
export function allOptional<T extends Record<string, TSchema>>(properties: T): { [K in keyof T]: TOptional<T[K]> } {
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, Type.Optional(schema)])) as {
    [K in keyof T]: TOptional<T[K]>
  }
}
