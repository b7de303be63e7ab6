// The Node options the single executable runs with (its SEA config's execArgv; why each one: the
// header of scripts/build.mjs and docs/shipping.md). The training runs that make the
// code caches use them too, so V8's flag hash matches at run time. bench/ runs the embedded node
// with them as well, to show Node's own start with the executable's options side by side.
export const SEA_EXEC_ARGV = Object.freeze([
  '--openssl-config=/dev/null',
  '--icu-data-dir=/dev/null',
  '--no-warnings',
  '--disable-sigusr1',
  '--v8-pool-size=1',
  '--no-rehash-snapshot',
]);
