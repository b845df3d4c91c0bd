'use strict';
/* stats.js — the latency summary the lab writes for a latency cell
 * (docs/statistics.md), computed the same way for ONNX Runtime's samples:
 * nearest-rank percentiles, percentile-bootstrap intervals, Tukey outlier
 * counts, and LoadGen's minimum sample count behind each `_valid` flag.
 *
 * The one design decision: each method is the lab's own, so a figure here
 * and the same figure in an adapter's cell mean the same thing; the
 * bootstrap draws come from a seeded generator, so a rerun on the same
 * samples gives the same intervals.  Only the mean's interval beyond
 * B*n > 2^24 differs in method (the normal law of the mean instead of the
 * lab's exact extremes; docs/onnxruntime.md). */

/* xoshiro128** seeded by splitmix32: a small, fast, seedable source. */
function rng(seed) {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const st = [split(), split(), split(), split()];
  const rotl = (x, k) => ((x << k) | (x >>> (32 - k))) >>> 0;
  const next = () => {
    const r = Math.imul(rotl(Math.imul(st[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (st[1] << 9) >>> 0;
    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl(st[3], 11);
    return r;
  };
  /* Uniform on (0, 1) with 53 random bits. */
  return () => {
    const u = ((next() >>> 5) * 67108864 + (next() >>> 6) + 0.5) / 9007199254740992;
    return u;
  };
}

function normal(u) {
  /* Box-Muller; one value per call is enough here. */
  return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/* Gamma(a, 1), a >= 1: Marsaglia & Tsang (2000). */
function gamma(a, u) {
  const d = a - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x, v;
    do {
      x = normal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = u();
    if (w < 1 - 0.0331 * x * x * x * x || Math.log(w) < 0.5 * x * x + d * (1 - v + Math.log(v)))
      return d * v;
  }
}

/* Rank k = ceil(p*n) in 1..n; a product within 1e-9 (relative) of a whole
 * number is that number (0.07*100 is 7, not 8). */
function pctRank(n, p) {
  if (n <= 0)
    return 0;
  const x = p * n, r = Math.round(x);
  let k = Math.abs(x - r) <= 1e-9 * Math.max(1, Math.abs(x)) ? r : Math.ceil(x);
  if (k < 1)
    k = 1;
  if (k > n)
    k = n;
  return k;
}

/* Nearest-rank percentile of a sorted array. */
function pctSorted(x, p) {
  return x.length ? x[pctRank(x.length, p) - 1] : NaN;
}

/* LoadGen's early-stopping minimum (confidence c, one overlatency query
 * tolerated): the least n = h + 1 with P[Binomial(h + 1, 1 - p) <= 1] < 1 - c,
 * i.e. p^(h+1) + (h+1)(1-p)p^h < 1 - c.  64, 662, 6636 for p90, p99, p99.9. */
function esMinQueries(p, c = 0.99) {
  for (let h = 1; h < 1e8; h++) {
    const v = Math.exp((h + 1) * Math.log(p)) + (h + 1) * (1 - p) * Math.exp(h * Math.log(p));
    if (v < 1 - c)
      return h + 1;
  }
  return Infinity;
}

/* One percentile's bootstrap interval: replicate = x(ceil(n*V)),
 * V ~ Beta(k, n + 1 - k), the exact law of the resampled order statistic. */
function pctCI(x, p, B, conf, u) {
  const n = x.length, k = pctRank(n, p);
  const reps = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const g1 = gamma(k, u), g2 = gamma(n + 1 - k, u);
    const v = g1 / (g1 + g2);
    let j = Math.ceil(n * v);
    j = j < 1 ? 1 : j > n ? n : j;
    reps[b] = x[j - 1];
  }
  reps.sort();
  const a = (1 - conf) / 2;
  return [reps[pctRank(B, a) - 1], reps[pctRank(B, 1 - a) - 1]];
}

function meanCI(x, mean, sd, B, conf, u) {
  const n = x.length, a = (1 - conf) / 2;
  if (n < 2)
    return [mean, mean];
  if (B * n > 2 ** 24) {
    const z = 1.959963984540054, h = z * sd / Math.sqrt(n);
    return [mean - h, mean + h];
  }
  const reps = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < n; i++)
      s += x[Math.floor(u() * n)];
    reps[b] = s / n;
  }
  reps.sort();
  return [reps[pctRank(B, a) - 1], reps[pctRank(B, 1 - a) - 1]];
}

const PCTS = [['p50', 0.5], ['p90', 0.9], ['p95', 0.95], ['p99', 0.99], ['p999', 0.999]];

/* ns: latencies in nanoseconds (numbers), in measurement order.  Returns
 * the latency metrics of docs/suites.md as [name, value, unit, lo, hi]
 * rows (ms for times), without samples/duration (the caller has them). */
function summarize(ns, seed, B = 1000, conf = 0.95) {
  const x = Float64Array.from(ns).sort();
  const n = x.length, u = rng(seed), ms = (v) => v / 1e6;
  const rows = [];
  for (const [name, p] of PCTS) {
    const [lo, hi] = pctCI(x, p, B, conf, u);
    rows.push([name, ms(pctSorted(x, p)), 'ms', ms(lo), ms(hi)]);
    rows.push([`${name}_valid`, n >= esMinQueries(p) ? 1 : 0, 'bool']);
  }
  let sum = 0;
  for (const v of x)
    sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of x)
    ss += (v - mean) * (v - mean);
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  const [mlo, mhi] = meanCI(x, mean, sd, B, conf, u);
  rows.push(['mean', ms(mean), 'ms', ms(mlo), ms(mhi)]);
  rows.push(['stddev', ms(sd), 'ms']);
  rows.push(['cv', n > 1 && mean ? sd / mean : NaN, 'ratio']);
  rows.push(['min', ms(x[0]), 'ms']);
  rows.push(['max', ms(x[n - 1]), 'ms']);
  const q1 = pctSorted(x, 0.25), q3 = pctSorted(x, 0.75), iqr = q3 - q1;
  let low = 0, high = 0, severe = 0;
  for (const v of x) {
    low += v < q1 - 1.5 * iqr;
    high += v > q3 + 1.5 * iqr;
    severe += v < q1 - 3 * iqr || v > q3 + 3 * iqr;
  }
  rows.push(['outliers_low', low, 'count']);
  rows.push(['outliers_high', high, 'count']);
  rows.push(['outliers_severe', severe, 'count']);
  return rows;
}

module.exports = {summarize, pctSorted, pctRank, esMinQueries, rng};
