'use strict';
/* results.js — the lab's results directory (docs/results-schema.md) for
 * ONNX Runtime's cells: run.json, results.csv, samples/, and the
 * environment fingerprint as far as Node can see it.
 *
 * The one design decision: the writer follows the lab's run writer —
 * run.json rewritten atomically (temporary file, fsync, rename) after
 * every cell, results.csv appended and flushed per cell — and the
 * fingerprint fills only what Node reads from the machine itself (os,
 * /proc, /sys); what only hwloc or the lab's build would know (cores,
 * caches, compiler) is null, never guessed. */

const fs = require('fs');
const os = require('os');
const path = require('path');
const {execFileSync} = require('child_process');

const FAIL_CLASSES = ['compile_error', 'load_error', 'predict_error', 'timeout', 'crash',
  'non_finite', 'parity_mismatch', 'out_of_memory', 'unsupported'];

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    return null;
  }
}

function readInt(file) {
  const t = readText(file);
  return t !== null && /^\d+$/.test(t) ? Number(t) : null;
}

/* The smallest nonzero step of the clock and the cost of one read. */
function timerFigures() {
  let res = Infinity;
  for (let i = 0; i < 2000; i++) {
    const a = process.hrtime.bigint();
    let b = process.hrtime.bigint();
    while (b === a)
      b = process.hrtime.bigint();
    const d = Number(b - a);
    if (d < res)
      res = d;
  }
  const n = 200000, t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++)
    process.hrtime.bigint();
  const cost = Number(process.hrtime.bigint() - t0) / n;
  return {res, cost};
}

function gitInfo(root) {
  try {
    const commit = execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'],
      {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'],
      {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim() !== '';
    return {git_commit: commit, git_commit_source: 'runtime', git_dirty: dirty};
  } catch (e) {
    return {git_commit: null, git_commit_source: 'unknown', git_dirty: null};
  }
}

/* The machine facts of the lab's own fingerprint (`infergate env --json`:
 * hostname, memory, cpu from hwloc, kernel), taken when the lab's binary
 * runs here, so compare and matrix see the same machine by the same
 * names; null when it is absent or fails. */
function labMachine(bin) {
  if (!bin)
    return null;
  try {
    const e = JSON.parse(execFileSync(bin, ['env', '--json'],
      {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000}));
    if (!e || typeof e.cpu !== 'object' || !e.cpu)
      return null;
    return {hostname: e.hostname, memory_bytes: e.memory_bytes, cpu: e.cpu, kernel: e.kernel};
  } catch (err) {
    return null;
  }
}

/* ort: {version, package}; root: the lab's source tree; labBin: the
 * infergate binary whose machine facts to take (may be null). */
function fingerprint(ort, root, labBin) {
  const cpus = os.cpus();
  const online = cpus.length;
  const status = readText('/proc/self/status') || '';
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(status);
  const cf = '/sys/devices/system/cpu/cpu0/cpufreq';
  const governor = readText(`${cf}/scaling_governor`) || 'unknown';
  const [l1, l5, l15] = os.loadavg();
  const timer = timerFigures();
  const warnings = [];
  if (online > 0 && l1 / online > 0.5)
    warnings.push(`high load: the 1-minute load average is ${l1.toFixed(2)} on ${online} online CPUs ` +
      `(${(l1 / online).toFixed(2)} per CPU, above 0.50), so other work competes for the CPUs ` +
      'and inflates latencies.');
  if (governor !== 'unknown' && governor !== 'performance')
    warnings.push(`cpu governor: the frequency governor is '${governor}', not 'performance', ` +
      'so clock speed changes during the run and adds variance to timings.');
  if (timer.res > 1000)
    warnings.push(`coarse timer: the measured process.hrtime resolution is ${timer.res.toFixed(0)} ns ` +
      '(coarser than 1 us), so short latencies cannot be resolved.');
  if (online === 1)
    warnings.push('single core: only 1 CPU core is available, so concurrency figures are ' +
      'meaningless and background work shares the core with the measurement.');
  const lab = labMachine(labBin);
  return {
    env_version: 1,
    time_utc: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    /* Where the machine facts came from: "infergate env --json" or
     * "node" (os, /proc and /sys; what only hwloc knows is null). */
    machine_source: lab ? 'infergate env --json' : 'node',
    hostname: lab ? lab.hostname : os.hostname(),
    memory_bytes: lab ? lab.memory_bytes : os.totalmem(),
    cpu: lab ? lab.cpu : {
      model: cpus.length ? cpus[0].model.trim() : null,
      arch: os.machine(),
      packages: null, cores: null, pus: null, numa_nodes: null,
      online_cpus: online,
      caches: null,
      cpuset: m ? m[1] : null,
      cpuset_allowed: null,
      governor,
      freq_khz: {cur: readInt(`${cf}/scaling_cur_freq`), min: readInt(`${cf}/cpuinfo_min_freq`),
        max: readInt(`${cf}/cpuinfo_max_freq`)},
    },
    kernel: lab ? lab.kernel
      : {sysname: os.type(), release: os.release(), version: os.version(), machine: os.machine()},
    /* No "build": ONNX Runtime is the package's prebuilt release binary,
     * and nothing here knows its compiler; the script's own source is
     * recorded as ort_bench. */
    ort_bench: gitInfo(root),
    libraries: {
      onnxruntime: {version: ort.version, package: ort.package, execution_provider: 'CPUExecutionProvider'},
      node: {version: process.versions.node, v8: process.versions.v8},
    },
    backends: [{name: 'onnxruntime', available: true, device: `cpu (${os.machine()})`,
      version: `ONNX Runtime ${ort.version} (${ort.package}, CPU execution provider)`, reason: ''}],
    load_average: {'1min': l1, '5min': l5, '15min': l15},
    timer: {clock: 'process.hrtime.bigint (CLOCK_MONOTONIC)', res_declared_ns: null,
      res_measured_ns: timer.res, read_cost_ns: timer.cost},
    warnings,
  };
}

function utcStamp(d) {
  const p = (v) => String(v).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

function isoNow() {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/* The lab's file-name-safe cell id. */
function safeId(s) {
  return s.replace(/[^A-Za-z0-9._-]/g, '_');
}

/* A JSON number: non-finite is null (docs/results-schema.md). */
function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function csvField(s) {
  return `"${String(s).replace(/"/g, '""')}"`;
}

class ResultsDir {
  /* run: the run.json object without cells; dir is created. */
  constructor(dir, run) {
    this.dir = dir;
    this.run = Object.assign({}, run, {cells: []});
    fs.mkdirSync(path.join(dir, 'samples'), {recursive: true});
    this.csv = path.join(dir, 'results.csv');
    fs.writeFileSync(this.csv, 'run_id,backend,model,suite,output,metric,value,unit,ci_low,ci_high\n');
    this.flush();
  }

  samplesPath(cellId) {
    return path.join(this.dir, 'samples', `${cellId}.csv`);
  }

  flush() {
    this.run.updated = isoNow();
    const tmp = path.join(this.dir, `.run.json.${process.pid}`);
    const fd = fs.openSync(tmp, 'w');
    fs.writeSync(fd, `${JSON.stringify(this.run, null, 1)}\n`);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, path.join(this.dir, 'run.json'));
  }

  /* cell: the cells[] object of the schema; metrics as
   * {output?, metric, value, unit, ci_low, ci_high}. */
  addCell(cell) {
    for (const k of FAIL_CLASSES)
      cell.failures[k] = cell.failures[k] || 0;
    cell.metrics = cell.metrics.map((m) => {
      const v = num(m.value);
      const o = m.output ? {output: m.output} : {};
      return Object.assign(o, {metric: m.metric, value: v, unit: m.unit,
        ci_low: m.ci_low === undefined ? v : num(m.ci_low),
        ci_high: m.ci_high === undefined ? v : num(m.ci_high)});
    });
    this.run.cells.push(cell);
    const rid = this.run.run_id;
    let rows = '';
    const row = (out, metric, v, unit, lo, hi) => {
      const f = (x) => (x === null ? '' : String(x));
      rows += [rid, cell.backend, cell.model, cell.suite, out, metric, f(v), unit, f(lo), f(hi)]
        .map(csvField).join(',') + '\n';
    };
    for (const m of cell.metrics)
      row(m.output || '', m.metric, m.value, m.unit, m.ci_low, m.ci_high);
    for (const k of FAIL_CLASSES)
      row('', `failures_${k}`, cell.failures[k], 'count', cell.failures[k], cell.failures[k]);
    const fd = fs.openSync(this.csv, 'a');
    fs.writeSync(fd, rows);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    this.flush();
  }

  finish() {
    this.run.finished = isoNow();
    this.flush();
  }
}

module.exports = {fingerprint, ResultsDir, utcStamp, isoNow, safeId, FAIL_CLASSES};
