// The floor of `npm run bench`: a single executable that does nothing, built by the very recipe
// of dist/secwrap (`node scripts/build.mjs --entry bench/hello.ts --out .cache/bench/hello`):
// same stripped Node, same SEA config (code cache, execArgv, embedded ffi-rs asset), same banner.
export {};
