'use strict';
/* tensorproto.js — reads a serialized ONNX TensorProto (input_K.pb,
 * output_K.pb of the ONNX backend-test layout) into a typed array that
 * onnxruntime-node accepts, and compares two tensors with the lab's
 * parity rule (harness/parity.c).
 *
 * The one design decision: the protobuf wire format is decoded by hand,
 * for the few TensorProto fields a test-data file uses (onnx.proto3:
 * dims = 1, data_type = 2, float_data = 4, int32_data = 5, string_data = 6,
 * int64_data = 7, name = 8, raw_data = 9, double_data = 10,
 * uint64_data = 11, external_data = 13, data_location = 14), so the script
 * needs no protobuf library; any other field is skipped by its wire type,
 * and anything malformed is an Error that names the file. */

const fs = require('fs');

/* ONNX TensorProto.DataType -> [ORT tensor type, bytes per element,
 * typed-array constructor]. */
const DTYPES = {
  1: ['float32', 4, Float32Array],
  2: ['uint8', 1, Uint8Array],
  3: ['int8', 1, Int8Array],
  4: ['uint16', 2, Uint16Array],
  5: ['int16', 2, Int16Array],
  6: ['int32', 4, Int32Array],
  7: ['int64', 8, BigInt64Array],
  9: ['bool', 1, Uint8Array],
  10: ['float16', 2, Uint16Array], /* the bit patterns */
  11: ['float64', 8, Float64Array],
  12: ['uint32', 4, Uint32Array],
  13: ['uint64', 8, BigUint64Array],
};
const DTYPE_NAMES = {8: 'string', 14: 'complex64', 15: 'complex128', 16: 'bfloat16'};

/* Largest tensor accepted, in elements: the same order as the lab's
 * default limits, and what a typed array can hold. */
const MAX_ELEMENTS = 2 ** 31 - 1;

class Reader {
  constructor(buf, file) {
    this.b = buf;
    this.p = 0;
    this.file = file;
  }

  fail(what) {
    throw new Error(`${this.file}: malformed TensorProto: ${what} at byte ${this.p}`);
  }

  /* A varint as a BigInt (a field may hold all 64 bits). */
  varint() {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.p >= this.b.length)
        this.fail('truncated varint');
      const byte = this.b[this.p++];
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return BigInt.asUintN(64, v);
    }
    return this.fail('varint longer than 10 bytes');
  }

  /* A varint known to be small (a tag, a length, a data type). */
  smallVarint(what) {
    const v = this.varint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      this.fail(`${what} out of range`);
    return Number(v);
  }

  bytes() {
    const n = this.smallVarint('length');
    if (n > this.b.length - this.p)
      this.fail(`length ${n} past the end of the file`);
    const s = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return s;
  }

  skip(wire) {
    if (wire === 0)
      this.varint();
    else if (wire === 1)
      this.fixed(8);
    else if (wire === 2)
      this.bytes();
    else if (wire === 5)
      this.fixed(4);
    else
      this.fail(`unsupported wire type ${wire}`);
  }

  fixed(n) {
    if (n > this.b.length - this.p)
      this.fail('truncated fixed-width field');
    const s = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return s;
  }
}

/* Appends the values of a repeated varint field, packed (wire 2) or not. */
function repeatedVarint(r, wire, out) {
  if (wire === 0) {
    out.push(r.varint());
    return;
  }
  if (wire !== 2)
    r.fail(`wire type ${wire} for a repeated integer field`);
  const sub = new Reader(r.bytes(), r.file);
  while (sub.p < sub.b.length)
    out.push(sub.varint());
}

/* Appends a repeated fixed-width field (float 4, double 8). */
function repeatedFixed(r, wire, width, out) {
  const one = width === 4 ? 5 : 1;
  let chunk;
  if (wire === one)
    chunk = r.fixed(width);
  else if (wire === 2)
    chunk = r.bytes();
  else
    return r.fail(`wire type ${wire} for a repeated ${width * 8}-bit field`);
  if (chunk.length % width)
    r.fail(`packed field of ${chunk.length} bytes is not a multiple of ${width}`);
  const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
  for (let i = 0; i < chunk.length; i += width)
    out.push(width === 4 ? dv.getFloat32(i, true) : dv.getFloat64(i, true));
}

/* Parses the bytes of a TensorProto.  Returns {name, dataType, type,
 * dims, data}: type is the ORT tensor type, data a typed array of
 * numel elements. */
function decode(buf, file) {
  const r = new Reader(buf, file);
  const dims = [];
  const f = {float: [], int32: [], int64: [], double: [], uint64: []};
  let dataType = 0, name = '', raw = null, external = false, strings = 0;
  while (r.p < buf.length) {
    const tag = r.smallVarint('tag');
    const field = Math.floor(tag / 8), wire = tag & 7;
    switch (field) {
    case 1: repeatedVarint(r, wire, dims); break;
    case 2:
      if (wire !== 0)
        r.fail('data_type is not a varint');
      dataType = r.smallVarint('data_type');
      break;
    case 4: repeatedFixed(r, wire, 4, f.float); break;
    case 5: repeatedVarint(r, wire, f.int32); break;
    case 6:
      if (wire !== 2)
        r.fail('string_data is not length-delimited');
      r.bytes();
      strings++;
      break;
    case 7: repeatedVarint(r, wire, f.int64); break;
    case 8:
      if (wire !== 2)
        r.fail('name is not length-delimited');
      name = Buffer.from(r.bytes()).toString('utf8');
      break;
    case 9:
      if (wire !== 2)
        r.fail('raw_data is not length-delimited');
      raw = r.bytes();
      break;
    case 10: repeatedFixed(r, wire, 8, f.double); break;
    case 11: repeatedVarint(r, wire, f.uint64); break;
    case 14:
      if (wire !== 0)
        r.fail('data_location is not a varint');
      external = r.varint() === 1n;
      break;
    default: r.skip(wire);
    }
  }
  const shape = dims.map((d) => {
    const v = BigInt.asIntN(64, d);
    if (v < 0n || v > BigInt(MAX_ELEMENTS))
      throw new Error(`${file}: dimension ${v} out of range`);
    return Number(v);
  });
  let numel = 1;
  for (const d of shape) {
    numel *= d;
    if (numel > MAX_ELEMENTS)
      throw new Error(`${file}: ${shape.join('x')} has more than ${MAX_ELEMENTS} elements`);
  }
  if (external)
    throw new Error(`${file}: tensor '${name}' keeps its data in an external file (not supported)`);
  const dt = DTYPES[dataType];
  if (!dt) {
    const what = DTYPE_NAMES[dataType] || `data_type ${dataType}`;
    throw new Error(`${file}: tensor '${name}' has dtype ${what}, which this script does not read`);
  }
  if (strings)
    throw new Error(`${file}: tensor '${name}' has string_data for dtype ${dt[0]}`);
  const [type, size, Ctor] = dt;
  let data;
  if (raw) {
    if (raw.length !== numel * size)
      throw new Error(`${file}: raw_data has ${raw.length} bytes, ${shape.join('x')} ${type} needs ${numel * size}`);
    /* Copied: raw_data may sit at an offset the typed array cannot view.
     * The file is little-endian, as is every machine ORT's CPU build runs on. */
    const copy = new Uint8Array(raw.length);
    copy.set(raw);
    data = new Ctor(copy.buffer);
  } else {
    /* The typed field each dtype uses (onnx.proto3 comments). */
    const src = type === 'float32' ? f.float
      : type === 'float64' ? f.double
      : type === 'int64' ? f.int64
      : type === 'uint32' || type === 'uint64' ? f.uint64
      : f.int32;
    if (src.length !== numel)
      throw new Error(`${file}: tensor '${name}' has ${src.length} values, ${shape.join('x')} needs ${numel}`);
    data = new Ctor(numel);
    for (let i = 0; i < numel; i++) {
      const v = src[i];
      if (typeof v === 'number')
        data[i] = v;
      else if (type === 'int64')
        data[i] = BigInt.asIntN(64, v);
      else if (type === 'uint64')
        data[i] = BigInt.asUintN(64, v);
      else
        data[i] = Number(BigInt.asIntN(64, v)); /* int32_data holds int64 varints */
    }
  }
  return {name, dataType, type, dims: shape, data};
}

function read(file) {
  return decode(fs.readFileSync(file), file);
}

/* float16 bits -> number. */
function halfToNumber(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0)
    return s * m * 2 ** -24;
  if (e === 31)
    return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function valueAt(t, i) {
  const v = t.data[i];
  if (t.type === 'float16')
    return halfToNumber(v);
  return typeof v === 'bigint' ? Number(v) : v;
}

/* Distance in representable steps between two float32 bit patterns
 * (negative floats reflected onto one monotonic integer line). */
function ulpDistance(a, b) {
  const la = a < 0 ? -2147483648 - a : a;
  const lb = b < 0 ? -2147483648 - b : b;
  return Math.abs(la - lb);
}

/* got and want: {type, dims, data}.  The lab's rule: integers exact;
 * floats |got - want| <= atol + rtol*|want|, NaN matching NaN and an
 * infinity the same infinity.  Returns the figures harness/parity.c
 * reports, with pass. */
function compare(got, want, rtol, atol) {
  const r = {shapeOk: false, n: 0, bad: 0, nanMismatch: 0, maxAbs: 0, maxRel: 0, rmse: 0,
    cosine: 0, maxUlp: 0, psnr: Infinity, zeroFraction: 0, pass: false};
  r.shapeOk = got.type === want.type && got.dims.length === want.dims.length &&
    got.dims.every((d, i) => Number(d) === Number(want.dims[i]));
  if (!r.shapeOk)
    return r;
  const exact = !['float32', 'float64', 'float16'].includes(want.type);
  const gi = want.type === 'float32' ? new Int32Array(got.data.buffer, got.data.byteOffset, got.data.length) : null;
  const wi = gi ? new Int32Array(want.data.buffer, want.data.byteOffset, want.data.length) : null;
  let se = 0, dot = 0, ng = 0, nw = 0, peak = 0, zeros = 0;
  r.n = want.data.length;
  for (let i = 0; i < r.n; i++) {
    const g = valueAt(got, i), w = valueAt(want, i);
    let bad;
    if (!Number.isFinite(g) || !Number.isFinite(w)) {
      bad = !((Number.isNaN(g) && Number.isNaN(w)) || g === w);
      if (bad)
        r.nanMismatch++;
    } else {
      const d = Math.abs(g - w);
      if (d > r.maxAbs)
        r.maxAbs = d;
      if (Math.abs(w) >= atol && Math.abs(w) > 0 && d / Math.abs(w) > r.maxRel)
        r.maxRel = d / Math.abs(w);
      se += d * d;
      dot += g * w;
      if (Math.abs(w) > peak)
        peak = Math.abs(w);
      if (gi) {
        const u = ulpDistance(gi[i], wi[i]);
        if (u > r.maxUlp)
          r.maxUlp = u;
      }
      ng += g * g;
      nw += w * w;
      bad = exact ? g !== w : !(d <= atol + rtol * Math.abs(w));
    }
    if (g === 0)
      zeros++;
    if (bad)
      r.bad++;
  }
  r.rmse = r.n ? Math.sqrt(se / r.n) : 0;
  r.psnr = r.rmse > 0 ? 20 * Math.log10(peak / r.rmse) : Infinity;
  r.zeroFraction = r.n ? zeros / r.n : 0;
  r.cosine = ng === 0 && nw === 0 ? 1 : dot / (Math.sqrt(ng) * Math.sqrt(nw) + 1e-300);
  r.pass = r.bad === 0;
  return r;
}

module.exports = {decode, read, compare, DTYPES};
