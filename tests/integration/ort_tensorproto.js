'use strict';
/* ort_tensorproto.js — tests of scripts/ort/tensorproto.js (the TensorProto
 * reader of scripts/ort-bench) and scripts/ort/stats.js on hand-encoded
 * messages, one case per wire form a test-data file may use: raw_data,
 * packed and unpacked typed fields, negative integers in int32_data and
 * int64_data, float16 bits, and malformed input that must be an error
 * naming the file.  ctest: ort.tensorproto.  Exit 0 pass, 1 fail. */

const path = require('path');
const tp = require(path.join(__dirname, '..', '..', 'scripts', 'ort', 'tensorproto.js'));
const stats = require(path.join(__dirname, '..', '..', 'scripts', 'ort', 'stats.js'));

let failed = 0;
function check(name, cond, detail) {
  if (cond) {
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail ? `: ${detail}` : ''}`);
  }
}

/* ---- a minimal protobuf encoder for the cases ---- */
function varint(v) {
  let x = BigInt.asUintN(64, BigInt(v));
  const out = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x)
      b |= 0x80;
    out.push(b);
  } while (x);
  return out;
}
const tag = (field, wire) => varint(field * 8 + wire);
const ld = (field, bytes) => [...tag(field, 2), ...varint(bytes.length), ...bytes];
const f32 = (v) => [...new Uint8Array(new Float32Array([v]).buffer)];
const f64 = (v) => [...new Uint8Array(new Float64Array([v]).buffer)];
const str = (s) => [...Buffer.from(s, 'utf8')];
const dims = (d) => ld(1, d.flatMap(varint));
const dtype = (t) => [...tag(2, 0), ...varint(t)];
const msg = (...parts) => Buffer.from(parts.flat());
const dec = (buf) => tp.decode(buf, 'case.pb');

let t = dec(msg(dims([2, 2]), dtype(1), ld(8, str('x')), ld(9, [1, 2, 3, 4].flatMap(f32))));
check('raw_data float', t.name === 'x' && t.type === 'float32' && t.dims.join() === '2,2' &&
  t.data instanceof Float32Array && t.data.join() === '1,2,3,4');

t = dec(msg(dims([3]), dtype(1), ld(4, [0.5, -1.5, 3].flatMap(f32))));
check('packed float_data', t.data.join() === '0.5,-1.5,3');

t = dec(msg(...[4, 5].map(varint).map((v) => [...tag(1, 0), ...v]), dtype(1),
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
    .flatMap((v) => [...tag(4, 5), ...f32(v)])));
check('unpacked dims and float_data', t.dims.join() === '4,5' && t.data[19] === 20);

t = dec(msg(dims([3]), dtype(7), ld(7, [-1, 2, -9007199254740993n].flatMap(varint))));
check('packed int64_data, negative and beyond 2^53',
  t.data instanceof BigInt64Array && t.data[0] === -1n && t.data[2] === -9007199254740993n);

t = dec(msg(dims([2]), dtype(3), ld(5, [-128, 127].flatMap(varint))));
check('int8 in int32_data (negative as a 10-byte varint)', t.data.join() === '-128,127');

t = dec(msg(dims([2]), dtype(9), ld(5, [1, 0].flatMap(varint))));
check('bool in int32_data', t.type === 'bool' && t.data.join() === '1,0');

t = dec(msg(dims([2]), dtype(11), ld(10, [0.1, -2].flatMap(f64))));
check('double_data', t.type === 'float64' && t.data[0] === 0.1 && t.data[1] === -2);

t = dec(msg(dims([2]), dtype(13), ld(11, [18446744073709551615n, 3].flatMap(varint))));
check('uint64_data', t.data[0] === 18446744073709551615n && t.data[1] === 3n);

t = dec(msg(dims([2]), dtype(10), ld(9, [0x00, 0x3c, 0x00, 0xc0])));
check('raw float16 bits', t.type === 'float16' && t.data[0] === 0x3c00 && t.data[1] === 0xc000);

t = dec(msg(dtype(1), ld(9, f32(7))));
check('scalar (no dims)', t.dims.length === 0 && t.data.length === 1 && t.data[0] === 7);

t = dec(msg(dims([1]), dtype(1), ld(12, str('doc')), ld(9, f32(1))));
check('unknown field skipped', t.data[0] === 1);

const throws = (name, buf, re) => {
  try {
    dec(buf);
    check(name, false, 'no error');
  } catch (e) {
    check(name, re.test(e.message) && e.message.startsWith('case.pb:'), e.message);
  }
};
throws('truncated raw_data', msg(dims([2]), dtype(1), [...tag(9, 2), 8, 1, 2]), /past the end/);
throws('raw_data size mismatch', msg(dims([3]), dtype(1), ld(9, f32(1))), /raw_data has 4 bytes/);
throws('value count mismatch', msg(dims([3]), dtype(1), ld(4, f32(1))), /has 1 values/);
throws('string dtype', msg(dims([1]), dtype(8), ld(6, str('a'))), /dtype string/);
throws('external data', msg(dims([1]), dtype(1), [...tag(14, 0), 1]), /external file/);
throws('negative dimension', msg(dims([-1]), dtype(1)), /out of range/);
throws('group wire type', msg([...tag(15, 3)]), /wire type 3/);
throws('endless varint', msg(Array(11).fill(0xff)), /varint/);

/* The parity rule of harness/parity.c. */
const A = {type: 'float32', dims: [3], data: new Float32Array([1, 2, NaN])};
let r = tp.compare(A, {type: 'float32', dims: [3], data: new Float32Array([1, 2.001, NaN])}, 1e-3, 1e-5);
check('parity: within atol + rtol*|want|, NaN matches NaN', r.pass && r.nanMismatch === 0 &&
  Math.abs(r.maxAbs - 0.001) < 1e-6, JSON.stringify(r));
r = tp.compare(A, {type: 'float32', dims: [3], data: new Float32Array([1, 2.01, 0])}, 1e-3, 1e-5);
check('parity: beyond tolerance and a NaN mismatch', !r.pass && r.bad === 2 && r.nanMismatch === 1);
r = tp.compare(A, {type: 'float32', dims: [1, 3], data: new Float32Array(3)}, 1e-3, 1e-5);
check('parity: shape mismatch fails', !r.pass && !r.shapeOk);
r = tp.compare({type: 'int64', dims: [1], data: new BigInt64Array([5n])},
  {type: 'int64', dims: [1], data: new BigInt64Array([6n])}, 1, 1);
check('parity: integers exact', !r.pass);

/* Statistics as docs/statistics.md states them. */
const ten = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
check('nearest rank: p50 5, p90 9, p95 10', stats.pctSorted(ten, 0.5) === 5 &&
  stats.pctSorted(ten, 0.9) === 9 && stats.pctSorted(ten, 0.95) === 10);
check('rank of 0.07*100 is 7', stats.pctRank(100, 0.07) === 7);
check('LoadGen minima 64 / 662 / 6636', stats.esMinQueries(0.9) === 64 &&
  stats.esMinQueries(0.99) === 662 && stats.esMinQueries(0.999) === 6636);
const rows = stats.summarize(Array.from({length: 1000}, (_, i) => 1e6 + i * 1000), 1);
const p50 = rows.find((x) => x[0] === 'p50');
check('p50 of 1000 samples with its interval around it', p50[1] === 1.499 && p50[3] <= p50[1] &&
  p50[4] >= p50[1], JSON.stringify(p50));

console.log(failed ? `${failed} failed` : 'all passed');
process.exit(failed ? 1 : 0);
