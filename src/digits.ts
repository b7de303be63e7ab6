/**
 * Decimal numbers as secwrap reads them wherever a text may hold one (ids, LISTEN_FDS, limits,
 * option values): one or more ASCII digits and nothing else. No sign, no spaces, no `0x`, no
 * exponent (Number() takes all of those), and no RegExp: the exec path compiles none.
 */
export function isAsciiDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
