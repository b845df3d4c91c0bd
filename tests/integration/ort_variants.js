'use strict';
/* ort_variants.js ORT_MODULE FIXTURES RESULTS_CSV — ONNX Runtime, an
 * independent implementation, runs the fixtures' compressed variants
 * (manifest "variant_of") as written: graph optimizations off, so every
 * op runs at its declared type, as the ONNX semantics the reference
 * follows (docs/compress.md).  Each output must lie within the tolerance
 * the lab derived for it from the model's datatypes (tol_rtol, tol_atol
 * in RESULTS_CSV: `infergate run -b reference --suite parity` on the same
 * variants), against the reference's goldens.  This checks two things at
 * once: the reference's integer, int4 and fp16 arithmetic against another
 * runtime, and that the derived bound admits a second correct
 * implementation.  bf16 variants are reported and not run: ONNX Runtime
 * has no bf16 kernels on the CPU.
 *
 * ctest: ort.variants (tests/integration/ort.cmake).  Exit 0 pass, 1 fail. */

const fs = require('fs');
const path = require('path');
const tp = require(path.join(__dirname, '..', '..', 'scripts', 'ort', 'tensorproto.js'));

const [ortModule, fixtures, resultsCsv] = process.argv.slice(2);
const ort = require(ortModule);
const manifest = JSON.parse(fs.readFileSync(path.join(fixtures, 'manifest.json'), 'utf8'));

/* tol[model][output] = {rtol, atol} from the run's results.csv. */
const tol = {};
for (const line of fs.readFileSync(resultsCsv, 'utf8').split('\n')) {
  const f = line.split('","').map((s) => s.replace(/^"|"$/g, ''));
  if (f.length < 7 || (f[5] !== 'tol_rtol' && f[5] !== 'tol_atol'))
    continue;
  const m = (tol[f[2]] = tol[f[2]] || {});
  const o = (m[f[4]] = m[f[4]] || {});
  o[f[5] === 'tol_rtol' ? 'rtol' : 'atol'] = Number(f[6]);
}

let failed = 0, checked = 0;

(async () => {
  for (const e of manifest.models.filter((m) => m.variant_of)) {
    if (e.scheme === 'bf16') {
      console.log(`skip ${e.name}: ONNX Runtime has no bf16 CPU kernels`);
      continue;
    }
    const dir = path.join(fixtures, path.dirname(e.path));
    const s = await ort.InferenceSession.create(path.join(dir, 'model.onnx'),
                                                {graphOptimizationLevel: 'disabled'});
    const data = path.join(dir, 'test_data_set_0');
    const feeds = {};
    s.inputNames.forEach((name, k) => {
      const t = tp.read(path.join(data, `input_${k}.pb`));
      feeds[name] = new ort.Tensor(t.type, t.data, t.dims.map(Number));
    });
    const out = await s.run(feeds);
    s.outputNames.forEach((name, k) => {
      const want = tp.read(path.join(data, `output_${k}.pb`));
      const got = out[name].data;
      const t = (tol[e.name] || {})[name];
      checked++;
      if (!t || t.rtol === undefined || t.atol === undefined) {
        console.log(`FAIL ${e.name} ${name}: no tolerance recorded in ${resultsCsv}`);
        failed++;
        return;
      }
      let worst = 0, at = 0, bad = 0, maxAbs = 0;
      for (let i = 0; i < got.length; i++) {
        const w = Number(want.data[i]), d = Math.abs(Number(got[i]) - w);
        const q = d / (t.atol + t.rtol * Math.abs(w));
        if (d > maxAbs)
          maxAbs = d;
        if (!(q <= 1))
          bad++;
        if (!(q <= worst)) {
          worst = q;
          at = i;
        }
      }
      const ok = bad === 0 && got.length === want.data.length;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${e.name} ${name}: max abs ${maxAbs.toExponential(3)}, ` +
                  `nearest the bound at [${at}] (${(100 * worst).toFixed(1)}% of atol ` +
                  `${t.atol.toExponential(3)} + rtol ${t.rtol.toExponential(3)} x |want|)` +
                  (bad ? `, ${bad} elements outside` : ''));
      if (!ok)
        failed++;
    });
  }
  console.log(`${checked} outputs checked, ${failed} failed`);
  process.exit(failed || checked === 0 ? 1 : 0);
})().catch((err) => {
  console.log(`FAIL: ${err.message}`);
  process.exit(1);
});
