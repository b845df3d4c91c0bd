'use strict';
/* bench.js — measures ONNX Runtime (onnxruntime-node, CPU) on the lab's
 * models with the lab's inputs and writes a results directory in the
 * lab's schema with backend `onnxruntime`, so `infergate compare`,
 * `report` and `matrix` show it beside the adapters (docs/onnxruntime.md).
 * Run through scripts/ort-bench, which installs the pinned package.
 *
 * The one design decision: it measures as the lab's latency suite does —
 * each model in its own child process (a crash costs that model only),
 * session creation and the cold first inference timed apart, warm-up
 * excluded, then one query at a time through the public async API
 * (`await session.run(feeds)`, what an application calls), each sample
 * timed with the monotonic clock — and it states the thread settings it
 * gave ONNX Runtime in run.json, so a ratio against an adapter says which
 * settings it compares. */

const fs = require('fs');
const os = require('os');
const path = require('path');
const {spawnSync} = require('child_process');

const tp = require('./tensorproto');
const stats = require('./stats');
const results = require('./results');

const ROOT = path.resolve(__dirname, '..', '..');
const WARMUP = 10;

const HELP = `usage: scripts/ort-bench [-m MODEL]... [--threads N] [--samples N]
                         [--duration S] [--min-samples N] [--cap S] [-o DIR]
                         [--fixtures DIR] [--rtol R] [--atol A] [--seed N]
                         [--graph-opt all|extended|basic|disabled]
                         [--deadline S] [--infergate BIN] [--quiet]
Measures ONNX Runtime (onnxruntime-node, CPU execution provider) on each
model and writes DIR (default out/<run-id>) in the lab's results schema
with backend 'onnxruntime': a parity cell (outputs against the case's
output_K.pb, the lab's rtol/atol rule) and a latency cell per model.
MODEL: a fixture name (from --fixtures DIR, else $IG_FIXTURES, else
build/fixtures), a case folder (model.onnx + test_data_set_0/input_K.pb)
or a model.onnx; default: every fixture.  Inputs are the case's
input_K.pb, fed to the K-th graph input, else generated as the lab does.
Threads: intraOpNumThreads=N (default 1), interOpNumThreads=1,
sequential execution; recorded in run.json (config.onnxruntime).
Latency: session creation and the cold first inference are reported
apart, ${WARMUP} warm-up calls are excluded, then one await session.run()
at a time until --duration seconds (default 2) have passed and
--min-samples (default 662, what p99 needs) were taken, never past --cap
seconds (default 10x duration); --samples N takes exactly N.
The machine facts of run.json's env (host, memory, cpu, kernel) come from
\`BIN env --json\` (--infergate BIN, else $IG_BIN, else build/infergate)
when it runs, so compare and matrix see the lab's own names; else from
Node, with what only hwloc knows left null.
Exit status: 0 every cell ran clean, 1 a cell failed (a parity mismatch,
an error), 2 usage error, 4 ONNX Runtime not usable here (node or the
package missing: a message that starts with SKIP).`;

function die(code, msg) {
  process.stderr.write(`ort-bench: ${msg}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const o = {models: [], threads: 1, samples: 0, duration: 2, minSamples: 662, cap: null,
    out: null, fixtures: null, rtol: 1e-3, atol: 1e-5, seed: null, graphOpt: 'all',
    deadline: null, quiet: false, ortModule: null, cell: null, infergate: null};
  const need = (i, flag) => {
    if (i + 1 >= argv.length)
      die(2, `${flag} needs a value`);
    return argv[i + 1];
  };
  const count = (v, flag, min) => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > 1e9)
      die(2, `${flag} expects a count of at least ${min}, got '${v}'`);
    return Number(v);
  };
  const real = (v, flag) => {
    const x = Number(v);
    if (v === '' || !Number.isFinite(x) || x < 0)
      die(2, `${flag} expects a non-negative number, got '${v}'`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
    case '-h': case '--help': process.stdout.write(`${HELP}\n`); process.exit(0); break;
    case '-m': case '--model': o.models.push(need(i, a)); i++; break;
    case '--threads': o.threads = count(need(i, a), a, 1); i++; break;
    case '--samples': o.samples = count(need(i, a), a, 1); i++; break;
    case '--duration': o.duration = real(need(i, a), a); i++; break;
    case '--min-samples': o.minSamples = count(need(i, a), a, 1); i++; break;
    case '--cap': o.cap = real(need(i, a), a); i++; break;
    case '-o': case '--out': o.out = need(i, a); i++; break;
    case '--fixtures': o.fixtures = need(i, a); i++; break;
    case '--rtol': o.rtol = real(need(i, a), a); i++; break;
    case '--atol': o.atol = real(need(i, a), a); i++; break;
    case '--seed': o.seed = count(need(i, a), a, 0); i++; break;
    case '--deadline': o.deadline = real(need(i, a), a); i++; break;
    case '--graph-opt': {
      const v = need(i, a);
      if (!['all', 'extended', 'basic', 'disabled'].includes(v))
        die(2, `--graph-opt expects all, extended, basic or disabled, got '${v}'`);
      o.graphOpt = v;
      i++;
      break;
    }
    case '--quiet': o.quiet = true; break;
    case '--infergate': o.infergate = need(i, a); i++; break;
    case '--ort-module': o.ortModule = need(i, a); i++; break;
    case '--cell': o.cell = need(i, a); i++; break;
    default: die(2, `unknown argument '${a}' (see --help)`);
    }
  }
  if (o.cap === null)
    o.cap = 10 * o.duration;
  if (o.seed === null)
    o.seed = (Date.now() ^ (process.pid << 8)) >>> 0;
  return o;
}

/* ---- models ------------------------------------------------------------- */

function isDir(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch (e) {
    return false;
  }
}

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch (e) {
    return false;
  }
}

function fixturesDir(o) {
  if (o.fixtures)
    return o.fixtures;
  if (process.env.IG_FIXTURES)
    return process.env.IG_FIXTURES;
  return path.join(ROOT, 'build', 'fixtures');
}

function readManifest(dir) {
  const f = path.join(dir, 'manifest.json');
  let j;
  try {
    j = JSON.parse(fs.readFileSync(f, 'utf8'));
  } catch (e) {
    return null;
  }
  const list = Array.isArray(j.models) ? j.models : [];
  return list.filter((m) => m && typeof m.name === 'string').map((m) => {
    const t = m.tolerance || {};
    const n = (v) => (typeof v === 'number' ? v : null);
    return {name: m.name, path: path.join(dir, m.path || `${m.name}/model.onnx`),
      dir: path.join(dir, m.name), sla_p99_ms: n(m.sla_p99_ms), speedup_target: n(m.speedup_target),
      rtol: n(t.rtol), atol: n(t.atol), linf: n(t.linf)};
  });
}

/* The lab's resolution (harness/models.c): a case folder, a model file,
 * or a fixture name; the name is what the lab's cells call the model. */
function resolveModel(arg, fixtures) {
  const none = {sla_p99_ms: null, speedup_target: null, rtol: null, atol: null, linf: null};
  if (isDir(arg)) {
    const dir = arg.replace(/\/+$/, '') || arg;
    const p = path.join(dir, 'model.onnx');
    if (!isFile(p))
      die(2, `${arg}: no model.onnx in this folder`);
    return Object.assign({name: path.basename(dir), path: p, dir}, none);
  }
  if (isFile(arg)) {
    if (path.basename(arg) === 'model.onnx') {
      const dir = path.dirname(arg);
      return Object.assign({name: path.basename(dir), path: arg, dir}, none);
    }
    return Object.assign({name: path.basename(arg), path: arg, dir: ''}, none);
  }
  if (!arg.includes('/')) {
    const all = readManifest(fixtures) || [];
    const m = all.find((x) => x.name === arg);
    if (m)
      return m;
  }
  return die(2, `${arg}: no such model file, case folder or fixture name`);
}

/* ---- the measuring child -------------------------------------------------- */

/* splitmix64, as harness/models.c generates inputs for a model without
 * test data: floats uniform in [-1, 1), integers and bools zero,
 * dynamic dimensions 1. */
function generatedInput(meta, k) {
  const shape = meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
  const numel = shape.reduce((a, b) => a * b, 1);
  const M = (1n << 64n) - 1n;
  let s = 0x5eed0000n + BigInt(k);
  const next = () => {
    s = (s + 0x9e3779b97f4a7c15n) & M;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };
  const ctor = {float32: Float32Array, int64: BigInt64Array, int32: Int32Array, bool: Uint8Array};
  if (!ctor[meta.type])
    throw new Error(`cannot generate input '${meta.name}' of type ${meta.type}`);
  const data = new ctor[meta.type](numel);
  if (meta.type === 'float32')
    for (let i = 0; i < numel; i++)
      data[i] = 2 * (Number(next() >> 11n) * 2 ** -53) - 1;
  return {type: meta.type, dims: shape, data};
}

const hr = () => process.hrtime.bigint();
const msSince = (t0) => Number(hr() - t0) / 1e6;

/* One model: emits its cells as JSON lines on stdout. */
async function measure(o) {
  const spec = JSON.parse(o.cell);
  const m = spec.model, ort = require(o.ortModule);
  const cells = {};
  const base = (suite) => ({id: results.safeId(`onnxruntime.${m.name}.${suite}`), backend: 'onnxruntime',
    model: m.name, model_path: m.path, suite, status: 'ok', ended: 'exit 0', wall_s: 0,
    device: spec.device, version: spec.version, failures: {}, failure_messages: {}, metrics: [],
    repro: spec.repro});
  const emit = (c) => process.stdout.write(`${JSON.stringify(c)}\n`);
  const fail = (c, cls, msg) => {
    c.failures[cls] = (c.failures[cls] || 0) + 1;
    if (!c.failure_messages[cls])
      c.failure_messages[cls] = msg;
    c.status = 'failed';
  };
  const t0 = hr();
  const lat = base('latency');
  lat.metrics.push({metric: 'rss_start', value: process.memoryUsage().rss, unit: 'bytes'});
  const opts = {executionProviders: ['cpu'], intraOpNumThreads: o.threads, interOpNumThreads: 1,
    executionMode: 'sequential', graphOptimizationLevel: o.graphOpt};
  let session;
  const tc = hr();
  try {
    session = await ort.InferenceSession.create(m.path, opts);
  } catch (e) {
    for (const suite of spec.suites) {
      const c = suite === 'latency' ? lat : base(suite);
      fail(c, 'compile_error', `InferenceSession.create: ${e.message}`);
      c.wall_s = msSince(t0) / 1e3;
      emit(c);
    }
    return;
  }
  const compileMs = msSince(tc);
  /* Inputs: input_K.pb feeds the K-th graph input (ORT's inputNames
   * exclude initializers, as the lab's numbering does). */
  const feeds = {};
  try {
    session.inputNames.forEach((name, k) => {
      const f = m.dir ? path.join(m.dir, 'test_data_set_0', `input_${k}.pb`) : '';
      const t = f && isFile(f) ? tp.read(f)
        : generatedInput(session.inputMetadata[k], k);
      feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    });
  } catch (e) {
    for (const suite of spec.suites) {
      const c = suite === 'latency' ? lat : base(suite);
      fail(c, 'load_error', e.message);
      emit(c);
    }
    return;
  }
  let out;
  const t1 = hr();
  try {
    out = await session.run(feeds);
  } catch (e) {
    for (const suite of spec.suites) {
      const c = suite === 'latency' ? lat : base(suite);
      fail(c, 'predict_error', `session.run: ${e.message}`);
      emit(c);
    }
    return;
  }
  const coldMs = msSince(t1);

  if (spec.suites.includes('parity')) {
    const par = base('parity');
    let compared = 0, allOk = true;
    session.outputNames.forEach((name, k) => {
      const f = m.dir ? path.join(m.dir, 'test_data_set_0', `output_${k}.pb`) : '';
      if (!f || !isFile(f))
        return;
      let want;
      try {
        want = tp.read(f);
      } catch (e) {
        fail(par, 'load_error', e.message);
        allOk = false;
        return;
      }
      const got = out[name];
      const r = tp.compare({type: got.type, dims: got.dims, data: got.data}, want, spec.rtol, spec.atol);
      compared++;
      allOk = allOk && r.pass;
      const put = (metric, value, unit) => par.metrics.push({output: name, metric: `golden_${metric}`, value, unit});
      if (!r.shapeOk)
        par.failure_messages.parity_mismatch = par.failure_messages.parity_mismatch ||
          `${name}: ${got.type} [${got.dims.join(',')}], golden ${want.type} [${want.dims.join(',')}]`;
      put('max_abs', r.maxAbs, 'abs');
      put('max_rel', r.maxRel, 'rel');
      put('rmse', r.rmse, 'abs');
      put('cosine', r.cosine, 'ratio');
      put('max_ulp', r.maxUlp, 'ulp');
      put('psnr', r.psnr, 'dB');
      put('bad', r.bad, 'count');
      put('nan_mismatch', r.nanMismatch, 'count');
      put('zero_fraction', r.zeroFraction, 'ratio');
      put('pass', r.pass ? 1 : 0, 'bool');
    });
    if (compared) {
      if (!allOk)
        fail(par, 'parity_mismatch', 'outputs differ from the golden output_K.pb beyond rtol/atol');
      par.metrics.push({metric: 'parity_pass', value: allOk ? 1 : 0, unit: 'bool'});
      par.metrics.push({metric: 'live_reference', value: 0, unit: 'bool'});
      par.wall_s = msSince(t0) / 1e3;
      emit(par);
    } else {
      process.stderr.write(`ort-bench: ${m.name}: no output_K.pb in test_data_set_0, parity not checked\n`);
    }
  }
  if (!spec.suites.includes('latency'))
    return;

  /* The loop's own cost per sample: the same two clock reads around an
   * await that does no work. */
  const own = new Float64Array(1000);
  for (let i = 0; i < own.length; i++) {
    const a = hr();
    await null;
    own[i] = Number(hr() - a);
  }
  own.sort();
  try {
    for (let i = 0; i < WARMUP; i++)
      await session.run(feeds);
  } catch (e) {
    fail(lat, 'predict_error', `session.run: ${e.message}`);
  }
  let ns = new Float64Array(Math.max(o.samples, 1024)), n = 0, stop = 0;
  const tl = hr();
  const capNs = o.cap * 1e9, durNs = o.duration * 1e9;
  while (lat.status === 'ok') {
    if (o.samples) {
      if (n >= o.samples)
        break;
    } else {
      const el = Number(hr() - tl);
      if (el >= durNs && n >= o.minSamples)
        break;
      if (el >= capNs) {
        stop = 1;
        break;
      }
    }
    const a = hr();
    try {
      await session.run(feeds);
    } catch (e) {
      fail(lat, 'predict_error', `session.run: ${e.message}`);
      stop = 3;
      break;
    }
    const d = Number(hr() - a);
    if (n === ns.length) {
      const g = new Float64Array(2 * n);
      g.set(ns);
      ns = g;
    }
    ns[n++] = d;
  }
  const elapsed = Number(hr() - tl) / 1e9;
  ns = ns.subarray(0, n);
  const lines = ['index,latency_ns'];
  for (let i = 0; i < n; i++)
    lines.push(`${i},${ns[i]}`);
  fs.writeFileSync(spec.samplesPath, `${lines.join('\n')}\n`);
  lat.metrics.push({metric: 'harness_overhead', value: stats.pctSorted(own, 0.5), unit: 'ns'});
  lat.metrics.push({metric: 'compile_time', value: compileMs, unit: 'ms'});
  lat.metrics.push({metric: 'cold_latency', value: coldMs, unit: 'ms'});
  if (n) {
    for (const [metric, value, unit, lo, hi] of stats.summarize(ns, spec.seed))
      lat.metrics.push({metric, value, unit, ci_low: lo, ci_high: hi});
  }
  lat.metrics.push({metric: 'samples', value: n, unit: 'count'});
  lat.metrics.push({metric: 'duration', value: elapsed, unit: 's'});
  lat.metrics.push({metric: 'throughput', value: elapsed > 0 ? n / elapsed : NaN, unit: 'inf/s'});
  lat.metrics.push({metric: 'samples_target', value: o.samples || o.minSamples, unit: 'count'});
  lat.metrics.push({metric: 'latency_min_duration', value: o.samples ? 0 : o.duration, unit: 's'});
  lat.metrics.push({metric: 'latency_cap', value: o.cap, unit: 's'});
  lat.metrics.push({metric: 'latency_stop', value: stop, unit: 'code'});
  lat.metrics.push({metric: 'rss_end', value: process.memoryUsage().rss, unit: 'bytes'});
  lat.wall_s = msSince(t0) / 1e3;
  emit(lat);
  await session.release();
}

/* ---- the parent ------------------------------------------------------------ */

function shellQuote(s) {
  return /^[A-Za-z0-9_./:=,+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

function fmt(v, d = 3) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-';
}

function metricOf(c, name, output) {
  const m = c && c.metrics.find((x) => x.metric === name && (x.output || '') === (output || ''));
  return m ? m.value : null;
}

/* The command line as the user typed it: without what the wrapper added. */
function userArgs(argv) {
  const a = argv.slice();
  const i = a.indexOf('--ort-module');
  if (i >= 0)
    a.splice(i, 2);
  return a;
}

function labBinary(o) {
  const c = o.infergate || process.env.IG_BIN || path.join(ROOT, 'build', 'infergate');
  try {
    fs.accessSync(c, fs.constants.X_OK);
    return c;
  } catch (e) {
    if (o.infergate)
      die(2, `--infergate ${o.infergate}: not an executable`);
    return null;
  }
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!o.ortModule)
    die(2, 'run me through scripts/ort-bench (it installs onnxruntime-node and passes --ort-module)');
  if (o.cell) {
    measure(o).catch((e) => {
      process.stderr.write(`ort-bench: ${e.stack || e}\n`);
      process.exit(3);
    });
    return;
  }
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(o.ortModule, 'package.json'), 'utf8'));
    require(o.ortModule);
  } catch (e) {
    die(4, `SKIP: onnxruntime-node at ${o.ortModule} cannot be loaded here: ${e.message.split('\n')[0]}`);
  }
  const fixtures = fixturesDir(o);
  let models;
  if (o.models.length) {
    models = o.models.map((a) => resolveModel(a, fixtures));
  } else {
    models = readManifest(fixtures);
    if (!models)
      die(2, `${fixtures}/manifest.json: no fixtures (build the lab, or give -m or --fixtures)`);
  }
  const started = new Date();
  const runId = `${results.utcStamp(started)}-${process.pid}`;
  const dir = o.out || path.join('out', runId);
  const ortInfo = {version: pkg.version, package: 'onnxruntime-node'};
  const env = results.fingerprint(ortInfo, ROOT, labBinary(o));
  const suites = ['parity', 'latency'];
  const config = {
    backends: ['onnxruntime'],
    models: models.map((m) => ({name: m.name, path: m.path, sla_p99_ms: m.sla_p99_ms,
      speedup_target: m.speedup_target, rtol: m.rtol, atol: m.atol, linf: m.linf})),
    suites,
    duration_s: o.samples ? null : o.duration,
    samples: o.samples,
    timeout_ms: null,
    cpus: null,
    baseline: null,
    rtol: o.rtol,
    atol: o.atol,
    seed: o.seed,
    warmup: WARMUP,
    min_samples: o.minSamples,
    cap_s: o.cap,
    onnxruntime: {
      version: pkg.version,
      package: 'onnxruntime-node',
      execution_provider: 'CPUExecutionProvider',
      intra_op_num_threads: o.threads,
      inter_op_num_threads: 1,
      execution_mode: 'sequential',
      graph_optimization_level: o.graphOpt,
      api: 'await InferenceSession.run(feeds), one query at a time',
    },
  };
  const rd = new results.ResultsDir(dir, {schema_version: 1, run_id: runId,
    started: results.isoNow(), command: ['scripts/ort-bench', ...userArgs(process.argv.slice(2))],
    config, env});
  if (!o.quiet)
    process.stderr.write(`ort-bench ${runId}: ONNX Runtime ${pkg.version}, ` +
      `intra-op threads ${o.threads}, inter-op 1, sequential -> ${dir}\n`);
  const common = [];
  if (o.samples)
    common.push('--samples', String(o.samples));
  else
    common.push('--duration', String(o.duration));
  common.push('--threads', String(o.threads));
  if (o.graphOpt !== 'all')
    common.push('--graph-opt', o.graphOpt);
  const childArgs = ['--ort-module', o.ortModule, '--threads', String(o.threads),
    '--duration', String(o.duration), '--min-samples', String(o.minSamples), '--cap', String(o.cap),
    '--graph-opt', o.graphOpt];
  if (o.samples)
    childArgs.push('--samples', String(o.samples));
  const deadline = o.deadline || Math.max(120, 3 * (o.samples ? 60 : o.cap) + 60);
  let failed = 0;
  const table = [];
  for (const m of models) {
    const rtol = m.rtol !== null ? m.rtol : o.rtol, atol = m.atol !== null ? m.atol : o.atol;
    const spec = {model: m, suites, rtol, atol, seed: o.seed,
      samplesPath: rd.samplesPath(results.safeId(`onnxruntime.${m.name}.latency`)),
      device: env.backends[0].device, version: env.backends[0].version,
      repro: ['scripts/ort-bench', '-m', m.path, ...common].map(shellQuote).join(' ')};
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [__filename, ...childArgs, '--cell', JSON.stringify(spec)],
      {stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: deadline * 1000,
        killSignal: 'SIGKILL', maxBuffer: 64 << 20});
    const got = {};
    for (const line of (r.stdout || '').split('\n'))
      if (line.startsWith('{')) {
        try {
          const c = JSON.parse(line);
          got[c.suite] = c;
        } catch (e) { /* a torn last line of a killed child */ }
      }
    let ended = r.status !== null ? `exit ${r.status}` : `killed by signal ${os.constants.signals[r.signal]} (${r.signal})`;
    const timedOut = r.error && r.error.code === 'ETIMEDOUT';
    if (timedOut)
      ended = `killed at the ${deadline.toFixed(0)} s cell deadline`;
    for (const suite of suites) {
      let c = got[suite];
      if (!c && suite === 'parity' && r.status === 0)
        continue; /* no golden outputs: no parity cell */
      if (!c) {
        c = {id: results.safeId(`onnxruntime.${m.name}.${suite}`), backend: 'onnxruntime', model: m.name,
          model_path: m.path, suite, status: 'failed', ended, wall_s: (Date.now() - t0) / 1e3,
          device: spec.device, version: spec.version, failures: {}, failure_messages: {}, metrics: [],
          repro: spec.repro};
        const cls = timedOut ? 'timeout' : r.signal ? 'crash' : 'predict_error';
        c.failures[cls] = 1;
        c.failure_messages[cls] = timedOut ? `cell ran past its ${deadline.toFixed(0)} s deadline and was killed`
          : r.signal ? ended : `the measuring process ended (${ended}) before the cell was written`;
      } else {
        /* A model's parity and latency cells share one process: a cell
         * written whole keeps its own status when a later one dies. */
        c.ended = ended;
      }
      failed += c.status !== 'ok';
      rd.addCell(c);
    }
    const par = got.parity, lat = got.latency;
    table.push({m, par, lat, session: metricOf(lat, 'compile_time'), cold: metricOf(lat, 'cold_latency'),
      p50: metricOf(lat, 'p50'), p99: metricOf(lat, 'p99'), n: metricOf(lat, 'samples'),
      status: lat ? lat.status : 'failed'});
  }
  rd.finish();
  if (!o.quiet) {
    const w = (s, n) => String(s).padEnd(n);
    const r = (s, n) => String(s).padStart(n);
    process.stdout.write(`${w('model', 16)} ${r('session_ms', 11)} ${r('cold_ms', 9)} ${r('p50_ms', 9)} ` +
      `${r('p99_ms', 9)} ${r('samples', 8)}  parity (max abs error vs output_K.pb)\n`);
    for (const t of table) {
      let parity = 'no golden outputs';
      if (t.par) {
        const outs = t.par.metrics.filter((x) => x.metric === 'golden_max_abs')
          .map((x) => `${x.output} ${x.value === null ? '-' : x.value.toExponential(2)}`);
        parity = `${metricOf(t.par, 'parity_pass') ? 'PASS' : 'FAIL'}: ${outs.join(', ')}`;
      }
      const msg = t.lat && t.lat.status !== 'ok' ? `  [${Object.values(t.lat.failure_messages)[0] || t.lat.ended}]` : '';
      process.stdout.write(`${w(t.m.name, 16)} ${r(fmt(t.session, 1), 11)} ${r(fmt(t.cold), 9)} ` +
        `${r(fmt(t.p50), 9)} ${r(fmt(t.p99), 9)} ${r(t.n === null ? '-' : t.n, 8)}  ${parity}${msg}\n`);
    }
    process.stdout.write(`onnxruntime ${runId}: ${rd.run.cells.length - failed} cells ok, ${failed} failed -> ${dir}\n`);
  }
  process.exit(failed ? 1 : 0);
}

main();
