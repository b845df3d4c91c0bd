#!/usr/bin/python3
"""gen.py — writes the onnx-recent conformance cases: one-node models of
ops added in ONNX opsets 18 to 24, in the ONNX backend-test layout
(test_<op>_<variant>/model.onnx + test_data_set_0/{input,output}_N.pb).

Expected outputs come from the numpy functions below, written from the
operator specification's text (onnx.ai/onnx/operators), not from ONNX's
reference implementation or from infergate's kernels.  Shape-like inputs
(CenterCropPad's shape, Col2Im's image/block shapes, AffineGrid's size)
are initializers, as exporters write them.  onnx 1.12's checker does not
know these ops, so it is not run.

Run with /usr/bin/python3 (numpy + onnx) from anywhere:
    /usr/bin/python3 tests/data/onnx-recent/gen.py
The output is deterministic (fixed seed)."""
import os
import shutil

import numpy as np
from onnx import helper, numpy_helper, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240601)


def randf(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def write_case(name, op, opset, inputs, outputs, attrs=None, inits=None):
    """inputs/outputs: lists of (name, array) with name '' for an absent
    optional input; inits: dict name -> array fed as initializers."""
    inits = inits or {}
    node_in = [n for n, _ in inputs]
    node = helper.make_node(op, node_in, [n for n, _ in outputs], **(attrs or {}))
    gin = [helper.make_tensor_value_info(n, _tt(a.dtype), a.shape)
           for n, a in inputs if n and n not in inits]
    outputs_present = [(n, a) for n, a in outputs if n]
    gout = [helper.make_tensor_value_info(n, _tt(a.dtype), a.shape)
            for n, a in outputs_present]
    g = helper.make_graph([node], name, gin, gout,
                          initializer=[numpy_helper.from_array(a, n)
                                       for n, a in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="infergate-gen")
    m.ir_version = 8
    d = os.path.join(HERE, "test_" + name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(m.SerializeToString())
    k = 0
    for n, a in inputs:
        if n and n not in inits:
            t = numpy_helper.from_array(a, n)
            with open(os.path.join(d, "test_data_set_0", "input_%d.pb" % k), "wb") as f:
                f.write(t.SerializeToString())
            k += 1
    for k, (n, a) in enumerate(outputs_present):
        t = numpy_helper.from_array(a, n)
        with open(os.path.join(d, "test_data_set_0", "output_%d.pb" % k), "wb") as f:
            f.write(t.SerializeToString())


def _tt(dt):
    return {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64,
            np.dtype(np.int32): TensorProto.INT32, np.dtype(np.int16): TensorProto.INT16,
            np.dtype(np.int8): TensorProto.INT8, np.dtype(np.uint8): TensorProto.UINT8,
            np.dtype(np.uint16): TensorProto.UINT16, np.dtype(np.uint32): TensorProto.UINT32,
            np.dtype(np.uint64): TensorProto.UINT64, np.dtype(np.bool_): TensorProto.BOOL}[np.dtype(dt)]


# ---- numpy semantics, from the spec text ---------------------------------

def group_norm(x, scale, bias, g, eps, per_channel):
    # Statistics over each group of C/g channels and all spatial positions.
    n, c = x.shape[:2]
    xg = x.astype(np.float64).reshape(n, g, -1)
    mean = xg.mean(axis=2, keepdims=True)
    var = ((xg - mean) ** 2).mean(axis=2, keepdims=True)
    norm = ((xg - mean) / np.sqrt(var + eps)).reshape(x.shape)
    bshape = [1, c] + [1] * (x.ndim - 2)
    if per_channel:  # opset 21: scale/bias of shape [C]
        s, b = scale.reshape(bshape), bias.reshape(bshape)
    else:            # opset 18: of shape [num_groups], one value per group
        s = np.repeat(scale, c // g).reshape(bshape)
        b = np.repeat(bias, c // g).reshape(bshape)
    return (norm * s + b).astype(np.float32)


def rms_norm(x, scale, axis, eps):
    axes = tuple(range(axis % x.ndim, x.ndim))
    x64 = x.astype(np.float64)
    rms = np.sqrt((x64 * x64).mean(axis=axes, keepdims=True) + eps)
    return (x64 / rms * scale).astype(np.float32)


def rotary(x, cos, sin, pos, interleaved, num_heads, rd):
    # To (B, S, H, D), rotate the first rd features of each head, back.
    if x.ndim == 4:
        xs = x.transpose(0, 2, 1, 3)
    else:
        b, s, hid = x.shape
        xs = x.reshape(b, s, num_heads, hid // num_heads)
    xs = xs.astype(np.float64)
    d = xs.shape[3]
    rd = rd or d
    half = rd // 2
    if pos is not None:
        c, sn = cos[pos], sin[pos]
    else:
        c, sn = cos, sin
    c = c[:, :, None, :half].astype(np.float64)
    sn = sn[:, :, None, :half].astype(np.float64)
    out = xs.copy()
    if interleaved:
        x1, x2 = xs[..., 0:rd:2], xs[..., 1:rd:2]
        out[..., 0:rd:2] = c * x1 - sn * x2
        out[..., 1:rd:2] = sn * x1 + c * x2
    else:
        x1, x2 = xs[..., :half], xs[..., half:rd]
        out[..., :half] = c * x1 - sn * x2
        out[..., half:rd] = sn * x1 + c * x2
    if x.ndim == 4:
        out = out.transpose(0, 2, 1, 3)
    return out.reshape(x.shape).astype(np.float32)


def attention(q, k, v, mask=None, past_k=None, past_v=None, nonpad=None,
              is_causal=0, qh=None, kvh=None, scale=None, softcap=0.0,
              mode=0):
    three = q.ndim == 3

    def heads(t, h):
        if not three:
            return t.astype(np.float64)
        b, s, hid = t.shape
        return t.reshape(b, s, h, hid // h).transpose(0, 2, 1, 3).astype(np.float64)

    Q, K, V = heads(q, qh), heads(k, kvh), heads(v, kvh)
    if past_k is not None:
        K = np.concatenate([past_k, K], axis=2)
        V = np.concatenate([past_v, V], axis=2)
    present_k, present_v = K.astype(np.float32), V.astype(np.float32)
    hq, hkv = Q.shape[1], K.shape[1]
    # GQA: query head h uses kv head h // (hq / hkv) (contiguous groups).
    K = np.repeat(K, hq // hkv, axis=1)
    V = np.repeat(V, hq // hkv, axis=1)
    d = Q.shape[3]
    sc = scale if scale is not None else 1.0 / np.sqrt(d)
    s = Q @ K.transpose(0, 1, 3, 2) * sc
    qk0 = s.copy()
    sq, tot = s.shape[2], s.shape[3]
    bias = np.zeros(s.shape)
    if mask is not None:
        m = np.where(mask, 0.0, -np.inf) if mask.dtype == np.bool_ else mask.astype(np.float64)
        padn = tot - m.shape[-1]
        if padn:
            m = np.concatenate([m, np.full(m.shape[:-1] + (padn,), -np.inf)], axis=-1)
        bias = bias + m
    if is_causal:
        bias = bias + np.where(np.tril(np.ones((sq, tot), bool)), 0.0, -np.inf)
    if nonpad is not None:
        keep = np.arange(tot)[None, :] < nonpad[:, None]
        bias = bias + np.where(keep, 0.0, -np.inf)[:, None, None, :]
    s = s + bias
    qk1 = s.copy()
    if softcap:
        s = softcap * np.tanh(s / softcap)
    qk2 = s.copy()
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    y = p @ V
    if three:
        b, h, sq_, dv = y.shape
        y = y.transpose(0, 2, 1, 3).reshape(b, sq_, h * dv)
    qk = [qk0, qk1, qk2, p][mode].astype(np.float32)
    return y.astype(np.float32), present_k, present_v, qk


def center_crop_pad(x, shape, axes=None):
    axes = list(range(x.ndim)) if axes is None else [a % x.ndim for a in axes]
    out = x
    for a, t in zip(axes, shape):
        n = out.shape[a]
        if n >= t:  # crop, start rounded down
            st = (n - t) // 2
            out = np.take(out, np.arange(st, st + t), axis=a)
        else:       # pad with zeros, the odd pixel at the end
            b = (t - n) // 2
            pw = [(0, 0)] * out.ndim
            pw[a] = (b, t - n - b)
            out = np.pad(out, pw)
    return out


def col2im(x, img, blk, dil, pads, strides):
    n = len(img)
    N, ck, L = x.shape
    C = ck // int(np.prod(blk))
    nb = [(img[d] + pads[d] + pads[n + d] - (dil[d] * (blk[d] - 1) + 1)) // strides[d] + 1
          for d in range(n)]
    out = np.zeros((N, C) + tuple(img))
    xr = x.astype(np.float64).reshape((N, C) + tuple(blk) + (L,))
    for kidx in np.ndindex(*blk):
        for li, lidx in enumerate(np.ndindex(*nb)):
            pix = [lidx[d] * strides[d] - pads[d] + kidx[d] * dil[d] for d in range(n)]
            if all(0 <= pix[d] < img[d] for d in range(n)):
                out[(slice(None), slice(None)) + tuple(pix)] += xr[(slice(None), slice(None)) + kidx + (li,)]
    return out.astype(np.float32)


def affine_grid(theta, size, align):
    def base(n):
        i = np.arange(n, dtype=np.float64)
        return -1 + 2 * i / (n - 1) if align else -1 + (2 * i + 1) / n
    if len(size) == 4:
        _, _, H, W = size
        yy, xx = np.meshgrid(base(H), base(W), indexing="ij")
        pts = np.stack([xx, yy, np.ones_like(xx)], axis=-1)          # H, W, 3
        return np.einsum("hwk,nrk->nhwr", pts, theta.astype(np.float64)).astype(np.float32)
    _, _, D, H, W = size
    zz, yy, xx = np.meshgrid(base(D), base(H), base(W), indexing="ij")
    pts = np.stack([xx, yy, zz, np.ones_like(xx)], axis=-1)           # D, H, W, 4
    return np.einsum("dhwk,nrk->ndhwr", pts, theta.astype(np.float64)).astype(np.float32)


def lp_pool(x, k, p, strides, pads, dil, ceil_mode=0):
    n = len(k)
    ins = x.shape[2:]
    out = []
    for d in range(n):
        span = ins[d] + pads[d] + pads[n + d] - (dil[d] * (k[d] - 1) + 1)
        o = (-(-span // strides[d]) if ceil_mode else span // strides[d]) + 1
        if ceil_mode and (o - 1) * strides[d] >= ins[d] + pads[d]:
            o -= 1   # no window may start in the end padding
        out.append(o)
    y = np.zeros(x.shape[:2] + tuple(out))
    ax = np.abs(x.astype(np.float64))
    for oi in np.ndindex(*out):
        acc = np.zeros(x.shape[:2])
        for ki in np.ndindex(*k):
            pos = [oi[d] * strides[d] - pads[d] + ki[d] * dil[d] for d in range(n)]
            if all(0 <= pos[d] < ins[d] for d in range(n)):
                acc += ax[(slice(None), slice(None)) + tuple(pos)] ** p
        y[(slice(None), slice(None)) + oi] = acc ** (1.0 / p)
    return y.astype(np.float32)


# ---- cases ----------------------------------------------------------------

def main():
    for d in os.listdir(HERE):
        if d.startswith("test_"):
            shutil.rmtree(os.path.join(HERE, d))

    x = randf(2, 4, 3)
    s, b = randf(2), randf(2)
    write_case("groupnorm_opset18", "GroupNormalization", 18,
               [("X", x), ("scale", s), ("bias", b)],
               [("Y", group_norm(x, s, b, 2, 1e-5, False))], {"num_groups": 2})
    x = randf(2, 6, 2, 2)
    s, b = randf(6), randf(6)
    write_case("groupnorm_opset21", "GroupNormalization", 21,
               [("X", x), ("scale", s), ("bias", b)],
               [("Y", group_norm(x, s, b, 3, 1e-3, True))],
               {"num_groups": 3, "epsilon": 1e-3})

    x = randf(2, 3, 4)
    s = randf(4)
    write_case("rmsnorm_last_axis", "RMSNormalization", 23,
               [("X", x), ("scale", s)], [("Y", rms_norm(x, s, -1, 1e-5))])
    s = randf(3, 4)
    write_case("rmsnorm_axis1", "RMSNormalization", 23,
               [("X", x), ("scale", s)], [("Y", rms_norm(x, s, 1, 1e-2))],
               {"axis": 1, "epsilon": 1e-2})

    x = randf(1, 2, 3, 4)
    c, sn = randf(1, 3, 2), randf(1, 3, 2)
    write_case("rotary_4d", "RotaryEmbedding", 23,
               [("X", x), ("cos", c), ("sin", sn)],
               [("Y", rotary(x, c, sn, None, 0, 0, 0))])
    x = randf(2, 3, 8)
    ang = rng.uniform(0, 3, (5, 2))
    c, sn = np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)
    pos = np.array([[0, 1, 2], [4, 3, 0]], dtype=np.int64)
    write_case("rotary_3d_interleaved_pos", "RotaryEmbedding", 23,
               [("X", x), ("cos", c), ("sin", sn), ("pos", pos)],
               [("Y", rotary(x, c, sn, pos, 1, 2, 0))],
               {"num_heads": 2, "interleaved": 1})
    x = randf(1, 2, 2, 6)
    c, sn = randf(4, 1), randf(4, 1)
    pos = np.array([[3, 1]], dtype=np.int64)
    write_case("rotary_partial", "RotaryEmbedding", 23,
               [("X", x), ("cos", c), ("sin", sn), ("pos", pos)],
               [("Y", rotary(x, c, sn, pos, 0, 0, 2))],
               {"rotary_embedding_dim": 2})

    q, k, v = randf(2, 2, 3, 4), randf(2, 2, 5, 4), randf(2, 2, 5, 3)
    y, *_ = attention(q, k, v)
    write_case("attention_4d", "Attention", 23,
               [("Q", q), ("K", k), ("V", v)], [("Y", y)])
    q, k, v = randf(1, 3, 4 * 2), randf(1, 3, 2 * 2), randf(1, 3, 2 * 3)
    y, *_ = attention(q, k, v, qh=4, kvh=2, is_causal=1)
    write_case("attention_3d_gqa_causal", "Attention", 23,
               [("Q", q), ("K", k), ("V", v)], [("Y", y)],
               {"q_num_heads": 4, "kv_num_heads": 2, "is_causal": 1})
    q, k, v = randf(1, 2, 2, 4), randf(1, 2, 2, 4), randf(1, 2, 2, 4)
    pk, pv = randf(1, 2, 3, 4), randf(1, 2, 3, 4)
    mask = np.array([[True, False, True, True, True],
                     [True, True, True, False, True]])
    y, pres_k, pres_v, _ = attention(q, k, v, mask=mask, past_k=pk, past_v=pv)
    write_case("attention_past_boolmask", "Attention", 23,
               [("Q", q), ("K", k), ("V", v), ("mask", mask), ("pk", pk), ("pv", pv)],
               [("Y", y), ("present_key", pres_k), ("present_value", pres_v)])
    q, k, v = randf(1, 2, 3, 4), randf(1, 2, 4, 4), randf(1, 2, 4, 4)
    mask = randf(1, 1, 3, 3)  # shorter than the 4 keys: padded with -inf
    y, _, _, qk = attention(q, k, v, mask=mask, softcap=2.0, scale=0.3, mode=2)
    write_case("attention_softcap_qkout", "Attention", 23,
               [("Q", q), ("K", k), ("V", v), ("mask", mask)],
               [("Y", y), ("", None), ("", None), ("qk", qk)],
               {"softcap": 2.0, "scale": 0.3, "qk_matmul_output_mode": 2})
    q, k, v = randf(2, 1, 2, 4), randf(2, 1, 4, 4), randf(2, 1, 4, 2)
    nonpad = np.array([2, 4], dtype=np.int64)
    y, *_ = attention(q, k, v, nonpad=nonpad)
    write_case("attention_nonpad_opset24", "Attention", 24,
               [("Q", q), ("K", k), ("V", v), ("", None), ("", None), ("", None),
                ("nonpad", nonpad)], [("Y", y)])

    x = randf(3, 4) * 4
    write_case("swish_alpha", "Swish", 24, [("X", x)],
               [("Y", (x.astype(np.float64) / (1 + np.exp(-0.5 * x.astype(np.float64)))).astype(np.float32))],
               {"alpha": 0.5})

    a = rng.integers(-2**31, 2**31 - 1, (2, 3), dtype=np.int32)
    bb = rng.integers(-2**31, 2**31 - 1, (3,), dtype=np.int32)
    write_case("bitwise_and_int32_bcast", "BitwiseAnd", 18, [("A", a), ("B", bb)],
               [("C", a & bb)])
    a = rng.integers(0, 255, (4,), dtype=np.uint8)
    bb = rng.integers(0, 255, (4,), dtype=np.uint8)
    write_case("bitwise_or_uint8", "BitwiseOr", 18, [("A", a), ("B", bb)],
               [("C", a | bb)])
    a = rng.integers(-2**62, 2**62, (2, 2), dtype=np.int64)
    bb = rng.integers(-2**62, 2**62, (2, 1), dtype=np.int64)
    write_case("bitwise_xor_int64", "BitwiseXor", 18, [("A", a), ("B", bb)],
               [("C", a ^ bb)])
    a = rng.integers(-2**15, 2**15 - 1, (5,), dtype=np.int16)
    write_case("bitwise_not_int16", "BitwiseNot", 18, [("X", a)], [("Y", ~a)])

    x = randf(5, 4)
    shp = np.array([3, 7], dtype=np.int64)
    write_case("centercroppad_crop_and_pad", "CenterCropPad", 18,
               [("X", x), ("shape", shp)], [("Y", center_crop_pad(x, [3, 7]))],
               inits={"shape": shp})
    x = randf(2, 5, 3)
    shp = np.array([6, 2], dtype=np.int64)
    write_case("centercroppad_axes", "CenterCropPad", 18,
               [("X", x), ("shape", shp)],
               [("Y", center_crop_pad(x, [6, 2], [-1, 1]))],
               {"axes": [-1, 1]}, inits={"shape": shp})

    img, blk = np.array([3, 4], dtype=np.int64), np.array([2, 2], dtype=np.int64)
    x = randf(1, 2 * 4, 2 * 3)
    write_case("col2im_2d", "Col2Im", 18,
               [("X", x), ("image_shape", img), ("block_shape", blk)],
               [("Y", col2im(x, [3, 4], [2, 2], [1, 1], [0, 0, 0, 0], [1, 1]))],
               inits={"image_shape": img, "block_shape": blk})
    img, blk = np.array([5, 5], dtype=np.int64), np.array([2, 3], dtype=np.int64)
    # dilations (2, 1), pads (1, 0, 0, 1), strides (2, 2):
    # blocks: (5+1+0-3)//2+1 = 2 and (5+0+1-3)//2+1 = 2
    x = randf(2, 1 * 6, 4)
    write_case("col2im_dil_pad_stride", "Col2Im", 18,
               [("X", x), ("image_shape", img), ("block_shape", blk)],
               [("Y", col2im(x, [5, 5], [2, 3], [2, 1], [1, 0, 0, 1], [2, 2]))],
               {"dilations": [2, 1], "pads": [1, 0, 0, 1], "strides": [2, 2]},
               inits={"image_shape": img, "block_shape": blk})

    th = randf(2, 2, 3)
    size = np.array([2, 3, 3, 4], dtype=np.int64)
    write_case("affinegrid_2d", "AffineGrid", 20, [("theta", th), ("size", size)],
               [("grid", affine_grid(th, [2, 3, 3, 4], 0))], inits={"size": size})
    th = randf(1, 3, 4)
    size = np.array([1, 1, 2, 3, 2], dtype=np.int64)
    write_case("affinegrid_3d_align", "AffineGrid", 20, [("theta", th), ("size", size)],
               [("grid", affine_grid(th, [1, 1, 2, 3, 2], 1))],
               {"align_corners": 1}, inits={"size": size})

    x = randf(1, 2, 4, 5)
    write_case("lppool_2d_default", "LpPool", 11, [("X", x)],
               [("Y", lp_pool(x, [2, 2], 2, [1, 1], [0, 0, 0, 0], [1, 1]))],
               {"kernel_shape": [2, 2]})
    x = randf(2, 1, 7)
    write_case("lppool_1d_p3_pads", "LpPool", 11, [("X", x)],
               [("Y", lp_pool(x, [3], 3, [2], [1, 2], [1]))],
               {"kernel_shape": [3], "p": 3, "strides": [2], "pads": [1, 2]})
    x = randf(1, 1, 6, 6)
    write_case("lppool_ceil_dilations", "LpPool", 18, [("X", x)],
               [("Y", lp_pool(x, [2, 2], 1, [2, 2], [0, 0, 0, 0], [2, 1], 1))],
               {"kernel_shape": [2, 2], "p": 1, "strides": [2, 2],
                "dilations": [2, 1], "ceil_mode": 1})
    x = randf(1, 1, 5, 5)
    # SAME_UPPER, stride 2: out = ceil(5/2) = 3, total pad = (3-1)*2+3-5 = 2 -> (1, 1)
    write_case("lppool_same_upper", "LpPool", 18, [("X", x)],
               [("Y", lp_pool(x, [3, 3], 2, [2, 2], [1, 1, 1, 1], [1, 1]))],
               {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "SAME_UPPER"})


if __name__ == "__main__":
    main()
