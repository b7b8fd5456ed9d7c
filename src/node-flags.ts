/**
 * The V8 settings the server runs with (`npm start` passes them on its command line; the process
 * tests and the benchmark start the server with them too). Both bound how much garbage V8 lets
 * pile up before it collects; neither limits what the server may keep alive.
 *
 * - `--max-semi-space-size=4`: the young generation may otherwise grow to 2 × 16 MB under load;
 *   a request's short-lived objects are collected as well in 2 × 4 MB.
 * - `--heap-growing-percent=30`: after a full collection, V8 lets the old generation grow to up to
 *   four times what survived before it collects again; here to 1.3 times. Under the benchmark's
 *   creates, the old generation otherwise filled with ~100 MB of dead objects.
 *
 * Measured with `npm run bench` (docs/decisions.md, "Memory"): peak RSS 279 MB with neither,
 * 249 MB with the first alone, 147 MB with both, at the same CPU per request within the noise.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=30'] as const
