/**
 * "Did you mean …?" suggestions: the candidate with the smallest Levenshtein
 * edit distance (insert, delete, substitute each cost 1; adjacent swaps count
 * as 1 too, since transposed letters are the commonest typo — the optimal
 * string alignment variant).
 */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  // d[i][j] = distance between a[0..i) and b[0..j)
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => {
    const row = new Array<number>(n + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[m][n];
}

/**
 * The closest candidate to `name` (case-insensitive), or undefined when none is
 * close enough to be a plausible typo: distance ≤ max(2, ⌈len/3⌉), so "lr" does
 * not suggest "n" but "temprature" suggests "temperature".
 */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(name.toLowerCase(), c.toLowerCase());
    if (dist < bestD) {
      best = c;
      bestD = dist;
    }
  }
  const limit = Math.max(2, Math.ceil(name.length / 3));
  return bestD <= limit ? best : undefined;
}

/** `; did you mean "x"?` or an empty string. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const n = nearest(name, candidates);
  return n === undefined ? '' : `; did you mean "${n}"?`;
}
