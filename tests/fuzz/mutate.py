#!/usr/bin/env python3
"""mutate.py — structure-aware mutants of ONNX backend-test cases, for
`infergate conformance` on any backend (docs/fuzzing.md).

The libFuzzer harnesses run the reference kernels only; this reaches the
adapters (openblas, onednn, a plugin) with hostile models in their own
cells.  Each mutant is a copy of a case folder (model.onnx beside
test_data_set_0/) in which model.onnx, or with --io an input or output
.pb, has 1 to 3 varints of its protobuf wire format replaced by values
that break size arithmetic (0, 2^31+5, 2^32, 2^62, 2^64-1, ...), and
sometimes a packed field cut or doubled.  The wire format is parsed
generically (a length-delimited field is a message when it parses as
one) and re-encoded with fresh lengths, so the result still parses and
the mutation lands in dims, attributes and data types rather than in the
framing.  Standard library only.

    python3 tests/fuzz/mutate.py SRC OUT N [--seed S] [--io]
    infergate conformance -b onednn --timeout 30 OUT

SRC is a folder of cases (Debian's /usr/share/libonnx-testdata/data/node,
build/fixtures); any line of conformance's output that says "crash" or
"timed out" is a finding."""
import argparse
import os
import random
import shutil

INTERESTING = [0, 1, 2, 3, 4, 7, 8, 16, 255, 256, (1 << 31) - 1, 1 << 31, (1 << 31) + 5,
               1 << 32, (1 << 32) + 3, 1 << 40, 1 << 62, (1 << 63) - 1, 1 << 63,
               (1 << 64) - 1, (1 << 64) - 2, (1 << 64) - (1 << 31)]


def read_varint(b, i):
    r = s = 0
    while True:
        if i >= len(b) or s > 63:
            raise ValueError
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if not x & 0x80:
            return r, i


def parse(b, depth=0):
    """[field, wiretype, value, is_message] entries; raises ValueError."""
    out, i = [], 0
    while i < len(b):
        t, i = read_varint(b, i)
        f, w = t >> 3, t & 7
        if f == 0:
            raise ValueError
        if w == 0:
            v, i = read_varint(b, i)
            out.append([f, 0, v, False])
        elif w in (1, 5):
            n = 8 if w == 1 else 4
            out.append([f, w, b[i:i + n], False])
            i += n
        elif w == 2:
            n, i = read_varint(b, i)
            d = b[i:i + n]
            if len(d) != n:
                raise ValueError
            i += n
            sub = None
            if depth < 40 and n:
                try:
                    sub = parse(d, depth + 1)
                except ValueError:
                    sub = None
            out.append([f, 2, sub if sub is not None else d, sub is not None])
        else:
            raise ValueError
        if i > len(b):
            raise ValueError
    return out


def enc_varint(v):
    v &= (1 << 64) - 1
    o = bytearray()
    while True:
        x = v & 0x7F
        v >>= 7
        o.append(x | (0x80 if v else 0))
        if not v:
            return bytes(o)


def serialize(t):
    o = bytearray()
    for f, w, v, msg in t:
        o += enc_varint(f << 3 | w)
        if w == 0:
            o += enc_varint(v)
        elif w in (1, 5):
            o += v
        else:
            d = serialize(v) if msg else v
            o += enc_varint(len(d)) + d
    return bytes(o)


def collect(t, want, acc):
    for e in t:
        if e[1] == 2 and e[3]:
            collect(e[2], want, acc)
        elif want(e):
            acc.append(e)
    return acc


def mutate(data, rng):
    t = parse(data)
    ints = collect(t, lambda e: e[1] == 0, [])
    if not ints:
        raise ValueError
    for _ in range(rng.randint(1, 3)):
        e = rng.choice(ints)
        if rng.random() < 0.8:
            e[2] = rng.choice(INTERESTING)
        else:
            e[2] = (e[2] + rng.choice([-2, -1, 1, 2])) & ((1 << 64) - 1)
    if rng.random() < 0.2:
        blobs = collect(t, lambda e: e[1] == 2, [])
        if blobs:
            e = rng.choice(blobs)
            b = e[2]
            e[2] = b[:rng.randrange(len(b))] if b and rng.random() < 0.5 else b + b
    return serialize(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--io", action="store_true", help="mutate .pb inputs and outputs too")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    cases = sorted(d for d in os.listdir(a.src)
                   if os.path.isfile(os.path.join(a.src, d, "model.onnx")) and
                   os.path.isdir(os.path.join(a.src, d, "test_data_set_0")))
    if not cases:
        raise SystemExit("no case folders in " + a.src)
    os.makedirs(a.out, exist_ok=True)
    k = 0
    while k < a.n:
        c = rng.choice(cases)
        d = os.path.join(a.out, "m%05d_%s" % (k, c))
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(os.path.join(a.src, c), d)
        target = os.path.join(d, "model.onnx")
        if a.io and rng.random() < 0.5:
            ds = os.path.join(d, "test_data_set_0")
            pbs = [f for f in os.listdir(ds) if f.endswith(".pb")]
            if pbs:
                target = os.path.join(ds, rng.choice(pbs))
        try:
            with open(target, "rb") as f:
                m = mutate(f.read(), rng)
        except ValueError:
            shutil.rmtree(d)
            continue
        with open(target, "wb") as f:
            f.write(m)
        k += 1


if __name__ == "__main__":
    main()
