'use strict';
/* ort_generative.js ORT_MODULE FIXTURES — ONNX Runtime, an independent
 * implementation of opset 23, runs the generation and embedding fixtures
 * (decoder-mini, decoder-mini-static, embed-mini):
 *
 * - test_data_set_0 through ONNX Runtime must match the reference's golden
 *   files within each model's manifest tolerance;
 * - the KV cache must mean the same under ONNX Runtime as under the
 *   reference: decoder-mini fed 16 tokens one per step, as a prefill of 8
 *   plus a chunk of 8 over that past, and decoder-mini-static stepped 16
 *   times into its fixed cache all give the same logits (within the
 *   models' tolerance), with the cache tensors named by the manifest's
 *   "generate" object.
 *
 * ctest: ort.generative (tests/integration/ort.cmake).  Exit 0 pass,
 * 1 fail, 77 skipped (the caller checks for node and the package). */

const fs = require('fs');
const path = require('path');
const tp = require(path.join(__dirname, '..', '..', 'scripts', 'ort', 'tensorproto.js'));

const [ortModule, fixtures] = process.argv.slice(2);
const ort = require(ortModule);
const manifest = JSON.parse(fs.readFileSync(path.join(fixtures, 'manifest.json'), 'utf8'));
const entry = (name) => {
  const e = manifest.models.find((m) => m.name === name);
  if (!e)
    throw new Error(`${fixtures}/manifest.json has no model ${name}`);
  return e;
};

let failed = 0;
function check(name, cond, detail) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  if (!cond)
    failed++;
}

async function session(name) {
  return ort.InferenceSession.create(path.join(fixtures, name, 'model.onnx'));
}

async function goldens(name) {
  const e = entry(name), dir = path.join(fixtures, name, 'test_data_set_0');
  const s = await session(name);
  const feeds = {};
  s.inputNames.forEach((n, k) => {
    const t = tp.read(path.join(dir, `input_${k}.pb`));
    feeds[n] = new ort.Tensor(t.type, t.data, t.dims);
  });
  const out = await s.run(feeds);
  s.outputNames.forEach((n, k) => {
    const want = tp.read(path.join(dir, `output_${k}.pb`));
    const got = {type: out[n].type, dims: out[n].dims, data: out[n].data};
    const r = tp.compare(got, want, e.tolerance.rtol, e.tolerance.atol);
    check(`${name} ${n} matches the golden`, r.pass && r.maxAbs <= e.tolerance.linf,
      `max abs ${r.maxAbs.toExponential(2)}, ${r.bad} of ${r.n} outside rtol/atol`);
  });
}

const i64 = (a, dims) => new ort.Tensor('int64', BigInt64Array.from(a.map(BigInt)), dims);
const kvName = (pattern, l, kv) => pattern.replace('%d', String(l)).replace('%s', kv);

/* A generation's state under ONNX Runtime: the cache the caller keeps and
 * feeds back, as a harness does. */
function start(gen) {
  const rows = gen.kv === 'static' ? gen.max_context : 0, cache = {};
  for (let l = 0; l < gen.layers; l++)
    for (const kv of ['key', 'value'])
      cache[`${l}.${kv}`] = new ort.Tensor('float32',
        new Float32Array(gen.kv_heads * rows * gen.head_dim), [1, gen.kv_heads, rows, gen.head_dim]);
  return {len: 0, cache};
}

/* Feeds tokens in chunks of `step` (1 for the static layout); returns the
 * logits of every token, concatenated. */
async function feed(s, gen, st, tokens, step) {
  const logits = [];
  for (let t0 = 0; t0 < tokens.length; t0 += step) {
    const chunk = tokens.slice(t0, t0 + step), n = chunk.length, f = {};
    f[gen.input_ids] = i64(chunk, [1, n]);
    f[gen.position_ids] = i64(chunk.map((_, i) => st.len + i), [1, n]);
    const ml = gen.kv === 'static' ? gen.max_context : st.len + n;
    f[gen.attention_mask] = i64(Array.from({length: ml}, (_, j) => (j < st.len + n ? 1 : 0)), [1, ml]);
    for (let l = 0; l < gen.layers; l++)
      for (const kv of ['key', 'value'])
        f[kvName(gen.past, l, kv)] = st.cache[`${l}.${kv}`];
    const o = await s.run(f);
    for (let l = 0; l < gen.layers; l++)
      for (const kv of ['key', 'value'])
        st.cache[`${l}.${kv}`] = o[kvName(gen.present, l, kv)];
    logits.push(...o[gen.logits].data);
    st.len += n;
  }
  return Float32Array.from(logits);
}

function linf(a, b) {
  let d = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length && i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    if (!(e <= d))
      d = e;
  }
  return d;
}

async function caches() {
  const dyn = entry('decoder-mini'), sta = entry('decoder-mini-static');
  const gd = dyn.generate, gs = sta.generate, tol = dyn.tolerance.linf;
  const sd = await session('decoder-mini'), ss = await session('decoder-mini-static');
  /* Seeded tokens (a fixed LCG), half prefill, half chunk. */
  const tokens = [];
  let x = 12345;
  for (let i = 0; i < 16; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    tokens.push(x % gd.vocab);
  }
  const one = await feed(sd, gd, start(gd), tokens, 1);
  const st = start(gd);
  const a = await feed(sd, gd, st, tokens.slice(0, 8), 8);
  const b = await feed(sd, gd, st, tokens.slice(8), 8);
  const half = 8 * gd.vocab;
  let d = linf(a, one.subarray(0, half));
  check('decoder-mini: prefill of 8 = one token per step', d <= tol, `L-inf ${d.toExponential(2)}`);
  d = linf(b, one.subarray(half));
  check('decoder-mini: chunk of 8 over a past of 8 = one token per step', d <= tol,
    `L-inf ${d.toExponential(2)}`);
  const s = await feed(ss, gs, start(gs), tokens, 1);
  d = linf(s, one);
  check('decoder-mini-static: 16 steps = decoder-mini', d <= tol, `L-inf ${d.toExponential(2)}`);
}

(async () => {
  for (const m of ['decoder-mini', 'decoder-mini-static', 'embed-mini'])
    await goldens(m);
  await caches();
  console.log(failed ? `${failed} check(s) failed` : 'all checks passed');
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log(`FAIL ${e.message.split('\n')[0]}`);
  process.exit(1);
});
