/**
 * Fargate selector wildcards: `*` matches zero or more characters and `?` exactly one, in
 * any position; every other character is literal (no regular expressions).
 */
export function globMatches(pattern: string, text: string): boolean {
  // Iterative matcher with single-star backtracking: linear in practice, no regex escaping.
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '?' || (pc !== undefined && pc !== '*' && pc === text[t])) {
      p++;
      t++;
    } else if (pc === '*') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
