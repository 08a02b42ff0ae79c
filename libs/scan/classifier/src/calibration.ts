/**
 * Fits a logistic model without its own intercept, probability = sigmoid(w · row), to rows computed from
 * messages the model did not train on: Newton's method with backtracking line search on the log loss (Lin,
 * Lin and Weng's robust variant of Platt scaling), with Platt's smoothed targets so that a perfectly separated
 * held-out set does not drive the weights to infinity. Rows carry their own intercept column when one is wanted.
 */
export function fitLogistic(rows: ArrayLike<number>[], spam: ArrayLike<boolean>, start: number[]): { weights: number[]; loss: number } {
  const d = start.length;
  let positives = 0;
  for (let i = 0; i < spam.length; i++) if (spam[i]) positives++;
  const negatives = spam.length - positives;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const target = (i: number): number => (spam[i] ? hi : lo);
  const dot = (w: number[], r: ArrayLike<number>): number => {
    let z = 0;
    for (let j = 0; j < d; j++) z += w[j] * r[j];
    return z;
  };
  const loss = (w: number[]): number => {
    let sum = 0;
    for (let i = 0; i < rows.length; i++) {
      const z = dot(w, rows[i]);
      const t = target(i);
      // -[t log p + (1 - t) log(1 - p)] with p = sigmoid(z), written to avoid overflow.
      sum += z >= 0 ? (1 - t) * z + Math.log1p(Math.exp(-z)) : -t * z + Math.log1p(Math.exp(z));
    }
    return sum;
  };

  let w = [...start];
  let current = loss(w);
  for (let iter = 0; iter < 100; iter++) {
    const g = new Array<number>(d).fill(0);
    const h = Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, k) => (j === k ? 1e-12 : 0)));
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const z = dot(w, r);
      const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      const diff = p - target(i);
      const v = Math.max(p * (1 - p), 1e-12);
      for (let j = 0; j < d; j++) {
        g[j] += diff * r[j];
        for (let k = 0; k < d; k++) h[j][k] += v * r[j] * r[k];
      }
    }
    if (g.every((x) => Math.abs(x) < 1e-7)) break;
    const step = solve(h, g.map((x) => -x));
    if (!step) break;
    const slope = g.reduce((s, x, j) => s + x * step[j], 0);
    let t = 1;
    while (t >= 1e-10) {
      const next = w.map((x, j) => x + t * step[j]);
      const l = loss(next);
      if (l < current + 1e-4 * t * slope) {
        w = next;
        current = l;
        break;
      }
      t /= 2;
    }
    if (t < 1e-10) break;
  }
  return { weights: w, loss: current };
}

/** Solves the small dense system m x = v by Gaussian elimination with partial pivoting; null when singular. */
function solve(m: number[][], v: number[]): number[] | null {
  const n = v.length;
  const a = m.map((row, i) => [...row, v[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    if (Math.abs(a[pivot][c]) < 1e-300) return null;
    [a[c], a[pivot]] = [a[pivot], a[c]];
    for (let r = c + 1; r < n; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= n; k++) a[r][k] -= f * a[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r][n];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}
