/** Compile-time checks that keep parallel field lists in step (they cost nothing at run time). */

/** True when A and B have exactly the same keys. */
export type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false

/** Fails the build unless its type argument is `true`: `assertSameKeys<SameKeys<A, B>>()`. */
export function assertSameKeys<_T extends true>(): void {}
