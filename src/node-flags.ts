/**
 * The V8 settings the server runs with (`npm start` passes them on its command line; the process
 * tests and the benchmark start the server with them too).
 *
 * `--max-semi-space-size=4`: V8's young generation may grow to 2 × 16 MB by default, and under
 * load it does; the server's short-lived garbage (a request's objects) is collected as well in
 * 2 × 4 MB. Measured with the benchmark's POST load: about 25 MB less peak RSS, no loss of
 * throughput (docs/decisions.md, "Memory").
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=4'] as const
