#!/usr/bin/env python3
"""gen.py — writes the hostile inputs of tests/integration/hostile.sh.

Each case is a folder holding model.onnx and, when the model has an input,
input_0.pb: the smallest file that reproduces one finding of the hostile-
input review (issue 11) or one of its kind.  Files are encoded here by a
few lines of protobuf wire format, standard library only, so no ONNX
tooling can "fix" a hostile field on the way out.  The output is
deterministic; run from anywhere:
    python3 tests/data/hostile/gen.py
and commit the result.  hostile.sh holds, per case, the exit code and the
text the one error line must carry."""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
I64MAX = (1 << 63) - 1

# ---- protobuf wire format -------------------------------------------------


def varint(n):
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def fv(num, n):          # varint field
    return varint(num << 3) + varint(n)


def fb(num, data):       # length-delimited field
    if isinstance(data, str):
        data = data.encode()
    return varint(num << 3 | 2) + varint(len(data)) + data


def ff(num, x):          # fixed32 float field
    return varint(num << 3 | 5) + struct.pack("<f", x)


# ---- ONNX messages (field numbers of onnx.proto) --------------------------

FLOAT, INT64 = 1, 7


def tensor(name, dtype, dims, raw=None, floats=None, ints=None, external=None):
    b = b"".join(fv(1, d) for d in dims) + fv(2, dtype) + fb(8, name)
    if raw is not None:
        b += fb(9, raw)
    if floats is not None:
        b += fb(4, b"".join(struct.pack("<f", x) for x in floats))
    if ints is not None:
        b += fb(7, b"".join(varint(x) for x in ints))
    if external is not None:
        for k, v in external:
            b += fb(13, fb(1, k) + fb(2, v))
        b += fv(14, 1)
    return b


def vinfo(name, dtype=FLOAT, dims=None):
    t = fv(1, dtype)
    if dims is not None:
        t += fb(2, b"".join(fb(1, fv(1, d)) for d in dims))
    return fb(1, name) + fb(2, fb(1, t))


def attr_i(name, i):
    return fb(1, name) + fv(20, 2) + fv(3, i)


def attr_f(name, x):
    return fb(1, name) + fv(20, 1) + ff(2, x)


def attr_ints(name, ints):
    return fb(1, name) + fv(20, 7) + b"".join(fv(8, i) for i in ints)


def attr_g(name, g):
    return fb(1, name) + fv(20, 5) + fb(6, g)


def node(op, ins, outs, attrs=(), name=""):
    b = b"".join(fb(1, i) for i in ins) + b"".join(fb(2, o) for o in outs)
    b += fb(3, name or op.lower()) + fb(4, op)
    return b + b"".join(fb(5, a) for a in attrs)


def graph(nodes, inputs, outputs, inits=(), name="g"):
    return (b"".join(fb(1, n) for n in nodes) + fb(2, name) +
            b"".join(fb(5, t) for t in inits) +
            b"".join(fb(11, v) for v in inputs) +
            b"".join(fb(12, v) for v in outputs))


def model(g, opset=17):
    return fv(1, 8) + fb(8, fb(1, "") + fv(2, opset)) + fb(7, g)


# ---- cases ----------------------------------------------------------------


def write(case, m, inp=None):
    d = os.path.join(HERE, case)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(m)
    if inp is not None:
        with open(os.path.join(d, "input_0.pb"), "wb") as f:
            f.write(inp)


def x_in(dims=(1,)):
    return tensor("x", FLOAT, list(dims), floats=[1.0] * _prod(dims))


def _prod(dims):
    n = 1
    for d in dims:
        n *= d
    return n


def one_node(op, ins, attrs=(), inits=(), xdims=(1, 1, 4, 4), outs=("y",),
             opset=17):
    g = graph([node(op, ins, list(outs), attrs)], [vinfo("x", FLOAT, list(xdims))],
              [vinfo(o) for o in outs if o], inits)
    return model(g, opset), x_in(xdims)


def nested_if(depth):
    # If(c) { If(c) { ... Identity(x) ... } } else Identity(x): only the
    # then-branches nest, so the file grows linearly with depth.  c and x
    # are outer-scope names every level reads.
    leaf = graph([node("Identity", ["x"], ["y0"])], [], [vinfo("y0")], name="leaf")
    body = leaf
    for lvl in range(1, depth):
        n = node("If", ["c"], ["y%d" % lvl], [attr_g("then_branch", body),
                                               attr_g("else_branch", leaf)],
                 name="if%d" % lvl)
        body = graph([n], [], [vinfo("y%d" % lvl)], name="l%d" % lvl)
    top = node("If", ["c"], ["y"], [attr_g("then_branch", body),
                                    attr_g("else_branch", leaf)], name="top")
    return model(graph([top], [vinfo("x", FLOAT, [1])], [vinfo("y")],
                       [tensor("c", 9, [], raw=b"\x01")]))


def main():
    big = 1 << 62
    add = lambda w: model(graph([node("Add", ["x", "w"], ["y"])],
                                [vinfo("x", FLOAT, [1])], [vinfo("y")], [w]))
    # An initializer whose dims wrap numel x 4 to 0.
    write("init_dims_2p62", add(tensor("w", FLOAT, [big])), x_in())
    # dims whose product is 2^64.
    write("init_dims_2p32x2", add(tensor("w", FLOAT, [1 << 32, 1 << 32])), x_in())
    # 6 GB claimed by a 100-byte model, no data.
    write("init_claims_6gb", add(tensor("w", FLOAT, [1500000000])), x_in())
    # A terabyte claimed, raw_data short.
    write("init_claims_1tb", add(tensor("w", FLOAT, [1 << 38], raw=b"\0" * 8)), x_in())
    # A graph input .pb with dims [2^62] and no data; a 30-byte .pb claiming 6 GB.
    relu = model(graph([node("Relu", ["x"], ["y"])], [vinfo("x", FLOAT, None)],
                       [vinfo("y")]))
    write("input_dims_2p62", relu, tensor("x", FLOAT, [big]))
    write("input_claims_6gb", relu, tensor("x", FLOAT, [1500000000]))
    write("input_claims_1tb", relu, tensor("x", FLOAT, [1 << 38]))
    write("input_negative_dim", relu, tensor("x", FLOAT, [-3]))
    # Deeply nested If: 3000 levels (parser recursion), 20 levels (time).
    write("nested_if_3000", nested_if(3000), x_in([1]))
    write("nested_if_20", nested_if(20), x_in([1]))
    # Pools with an empty input name.
    for op, attrs in [("MaxPool", [attr_ints("kernel_shape", [2, 2])]),
                      ("AveragePool", [attr_ints("kernel_shape", [2, 2])]),
                      ("GlobalMaxPool", []), ("GlobalAveragePool", [])]:
        m, x = one_node(op, [""], attrs)
        write("pool_empty_input_" + op, m, x)
    w33 = tensor("w", FLOAT, [1, 1, 3, 3], floats=[1.0] * 9)
    m, x = one_node("Conv", ["x", "w"], [attr_ints("pads", [big, 0, 0, 0])], [w33])
    write("conv_pads_2p62", m, x)
    m, x = one_node("Conv", ["x", "w"], [attr_ints("strides", [0, 1])], [w33])
    write("conv_strides_0", m, x)
    m, x = one_node("Conv", ["x", "w"], [attr_ints("dilations", [big, 1])], [w33])
    write("conv_dilations_2p62", m, x)
    m, x = one_node("ConvTranspose", ["x", "w"], [attr_ints("dilations", [big, 1])],
                    [w33])
    write("convtranspose_dilations_2p62", m, x)
    m, x = one_node("ConvTranspose", ["x", "w"],
                    [attr_ints("output_padding", [big, 0]), attr_ints("strides", [big, 1])],
                    [w33])
    write("convtranspose_outpad_2p62", m, x)
    m, x = one_node("DepthToSpace", ["x"], [attr_i("blocksize", I64MAX)])
    write("depthtospace_blocksize_max", m, x)
    m, x = one_node("SpaceToDepth", ["x"], [attr_i("blocksize", I64MAX)])
    write("spacetodepth_blocksize_max", m, x)
    m, x = one_node("MaxPool", ["x"], [attr_ints("kernel_shape", [2, 2]),
                                       attr_ints("pads", [big, big, 0, 0])])
    write("maxpool_pads_2p62", m, x)
    m, x = one_node("AveragePool", ["x"], [attr_ints("kernel_shape", [I64MAX, 2])])
    write("avgpool_kernel_max", m, x)
    m, x = one_node("MaxPool", ["x"], [attr_ints("kernel_shape", [2, 2]),
                                       attr_ints("strides", [I64MAX, 1])])
    write("maxpool_strides_max", m, x)
    m, x = one_node("Pad", ["x", "p"], [], [tensor("p", INT64, [8],
                                              ints=[0, 0, big, 0, 0, 0, big, 0])])
    write("pad_2p62", m, x)
    m, x = one_node("Tile", ["x", "r"], [], [tensor("r", INT64, [4],
                                               ints=[big, big, 1, 1])])
    write("tile_repeats_2p62", m, x)
    m, x = one_node("Concat", ["x", "w"], [attr_i("axis", 0)],
                    [tensor("w", FLOAT, [I64MAX, 0, 4, 4])])
    write("concat_dims_max", m, x)
    m, x = one_node("Expand", ["x", "s"], [], [tensor("s", INT64, [4],
                                                 ints=[big, big, 4, 4])])
    write("expand_2p62", m, x)
    m, x = one_node("Reshape", ["x", "s"], [], [tensor("s", INT64, [3],
                                                  ints=[big, big, -1])])
    write("reshape_2p62", m, x)
    m, x = one_node("Resize", ["x", "", "s"], [],
                    [tensor("s", FLOAT, [4], floats=[1.0, 1.0, float("inf"), 1.0])],
                    opset=13)
    write("resize_scale_inf", m, x)
    m, x = one_node("Resize", ["x", "", "s"], [],
                    [tensor("s", FLOAT, [4], floats=[1.0, 1.0, 1e30, 1.0])], opset=13)
    write("resize_scale_1e30", m, x)
    m, x = one_node("RNN", ["x", "w", "r"], [attr_i("hidden_size", I64MAX)],
                    [tensor("w", FLOAT, [1, 1, 4], floats=[1.0] * 4),
                     tensor("r", FLOAT, [1, 1, 1], floats=[1.0])], xdims=(1, 1, 4))
    write("rnn_hidden_max", m, x)
    m, x = one_node("Relu", ["x"], outs=("y", "extra"))
    write("relu_extra_output", m, x)
    m, x = one_node("QuantizeLinear", ["x", "s"], [],
                    [tensor("s", FLOAT, [], floats=[float("nan")])], xdims=(4,))
    write("quantize_scale_nan", m, x)
    m, x = one_node("Range", ["a", "b", "d"], [],
                    [tensor("a", FLOAT, [], floats=[0.0]),
                     tensor("b", FLOAT, [], floats=[1e30]),
                     tensor("d", FLOAT, [], floats=[1e-30])])
    write("range_huge", m, x)
    m, x = one_node("ConstantOfShape", ["s"], [],
                    [tensor("s", INT64, [2], ints=[big, big])])
    write("constantofshape_2p62", m, x)
    nan = float("nan")
    m, x = one_node("QuantizeLinear", ["x", "s"], [],
                    [tensor("s", FLOAT, [], floats=[1.0])], xdims=(4,))
    write("quantize_x_nan", m, tensor("x", FLOAT, [4], floats=[nan, float("inf"), -1e30, 1e30]))
    m, x = one_node("Concat", ["x", "w", "v"], [attr_i("axis", 1)],
                    [tensor("w", FLOAT, [0, big, 4, 4]), tensor("v", FLOAT, [0, big, 4, 4])],
                    xdims=(0, 1, 4, 4))
    write("concat_sum_overflow", m, tensor("x", FLOAT, [0, 1, 4, 4]))
    m, x = one_node("Tile", ["x", "r"], [], [tensor("r", INT64, [4],
                                               ints=[big, big, 4, 4])], xdims=(0, 1, 4, 4))
    write("tile_zero_dim_overflow", m, tensor("x", FLOAT, [0, 1, 4, 4]))
    for op, gates in [("LSTM", 4), ("GRU", 3)]:
        m, x = one_node(op, ["x", "w", "r"], [attr_i("hidden_size", big)],
                        [tensor("w", FLOAT, [1, 0, 4]),
                         tensor("r", FLOAT, [1, 0, 0])], xdims=(1, 1, 4))
        write(op.lower() + "_hidden_2p62", m, x)
    m, x = one_node("RNN", ["x", "w", "r"], [attr_i("hidden_size", -1)],
                    [tensor("w", FLOAT, [1, 1, 4], floats=[1.0] * 4),
                     tensor("r", FLOAT, [1, 1, 1], floats=[1.0])], xdims=(1, 1, 4))
    write("rnn_hidden_negative", m, x)
    m, x = one_node("Slice", ["x", "st", "en", "ax", "sp"], [],
                    [tensor("st", INT64, [1], ints=[-I64MAX - 1]),
                     tensor("en", INT64, [1], ints=[I64MAX]),
                     tensor("ax", INT64, [1], ints=[2]),
                     tensor("sp", INT64, [1], ints=[-I64MAX - 1])])
    write("slice_extremes", m, x)
    m, x = one_node("Gather", ["x", "i"], [attr_i("axis", 2)],
                    [tensor("i", INT64, [1], ints=[-I64MAX - 1])])
    write("gather_index_min", m, x)
    m, x = one_node("OneHot", ["i", "d", "v"], [],
                    [tensor("i", INT64, [1], ints=[0]), tensor("d", INT64, [], ints=[big]),
                     tensor("v", FLOAT, [2], floats=[0.0, 1.0])])
    write("onehot_depth_2p62", m, x)
    m, x = one_node("TopK", ["x", "k"], [attr_i("axis", 3)],
                    [tensor("k", INT64, [1], ints=[I64MAX])], outs=("y", "i"))
    write("topk_k_max", m, x)
    m, x = one_node("Flatten", ["x"], [attr_i("axis", -I64MAX - 1)])
    write("flatten_axis_min", m, x)
    m, x = one_node("Softmax", ["x"], [attr_i("axis", I64MAX)])
    write("softmax_axis_max", m, x)
    m, x = one_node("Unsqueeze", ["x", "a"], [], [tensor("a", INT64, [1], ints=[-I64MAX - 1])])
    write("unsqueeze_axis_min", m, x)
    m, x = one_node("CumSum", ["x", "a"], [], [tensor("a", INT64, [], ints=[-I64MAX - 1])])
    write("cumsum_axis_min", m, x)
    m, x = one_node("Split", ["x", "s"], [attr_i("axis", 2)],
                    [tensor("s", INT64, [2], ints=[I64MAX, -I64MAX + 3])], outs=("y", "z"))
    write("split_sizes_wrap", m, x)
    m, x = one_node("EyeLike", ["x"], [attr_i("k", -I64MAX - 1)], xdims=(4, 4))
    write("eyelike_k_min", m, x)
    m, x = one_node("Trilu", ["x", "k"], [], [tensor("k", INT64, [], ints=[-I64MAX - 1])],
                    xdims=(4, 4))
    write("trilu_k_min", m, x)
    m, x = one_node("LpPool", ["x"], [attr_ints("kernel_shape", [2, 2]), attr_i("p", I64MAX)])
    write("lppool_p_max", m, x)
    m, x = one_node("LRN", ["x"], [attr_i("size", I64MAX)])
    write("lrn_size_max", m, x)
    m, x = one_node("Col2Im", ["x", "is", "bs"], [],
                    [tensor("is", INT64, [2], ints=[big, big]),
                     tensor("bs", INT64, [2], ints=[big, big])], xdims=(1, 4, 4), opset=18)
    write("col2im_2p62", m, x)
    m, x = one_node("Upsample", ["x", "s"], [],
                    [tensor("s", FLOAT, [4], floats=[1.0, 1.0, float("inf"), 1.0])], opset=9)
    write("upsample_scale_inf", m, x)
    m, x = one_node("Cast", ["x"], [attr_i("to", 6)], xdims=(4,))
    write("cast_nan_to_int32", m, tensor("x", FLOAT, [4], floats=[nan, float("inf"), -1e30, 1e30]))
    m, x = one_node("EyeLike", ["x"], [attr_i("k", I64MAX)], xdims=(4, 4))
    write("eyelike_k_max", m, x)
    # A Loop whose trip count is 2^62 (body: pass cond and v through).
    body = graph([node("Identity", ["cin"], ["cout"], name="c"),
                  node("Identity", ["v"], ["vout"], name="v")],
                 [vinfo("i", INT64, []), vinfo("cin", 9, []), vinfo("v", FLOAT, [1])],
                 [vinfo("cout", 9, []), vinfo("vout", FLOAT, [1])], name="body")
    loop = model(graph([node("Loop", ["m", "c", "x"], ["y"], [attr_g("body", body)])],
                       [vinfo("x", FLOAT, [1])], [vinfo("y")],
                       [tensor("m", INT64, [], ints=[big]), tensor("c", 9, [], raw=b"\x01")]))
    write("loop_trip_2p62", loop, x_in([1]))
    # No test data and a declared input of 4 TB: `run` generates inputs
    # from declared shapes.
    write("declared_input_4tb", model(graph([node("Relu", ["x"], ["y"])],
                                            [vinfo("x", FLOAT, [1 << 40])], [vinfo("y")])))
    # A node without outputs, and one whose first output is omitted (a
    # graph output comes from another node): kernels write output 0.
    two = lambda outs: model(graph([node("ConvTranspose", ["x", "w"], outs,
                                         [attr_ints("strides", [2, 2])]),
                                    node("Relu", ["x"], ["y"], name="r")],
                                   [vinfo("x", FLOAT, [1, 1, 4, 4])], [vinfo("y")], [w33]))
    write("node_no_outputs", two([]), x_in([1, 1, 4, 4]))
    write("node_output0_omitted", two([""]), x_in([1, 1, 4, 4]))
    # Ordinary models that hostile.sh runs under lowered --limits.
    write("limit_initializer", add(tensor("w", FLOAT, [64], floats=[0.5] * 64)), x_in())
    m, x = one_node("Expand", ["x", "s"], [], [tensor("s", INT64, [1], ints=[1024])],
                    xdims=(1,))
    write("limit_intermediate", m, x)
    write("limit_nodes", model(graph([node("Relu", ["x"], ["r"]), node("Neg", ["r"], ["y"])],
                                     [vinfo("x", FLOAT, [1])], [vinfo("y")])), x_in())
    # External data: a length beyond the file, a location with '..'.
    ext = tensor("w", FLOAT, [1], external=[("location", "w.bin"), ("length", "4"),
                                            ("offset", str(1 << 40))])
    write("external_offset_past_end", add(ext), x_in())
    with open(os.path.join(HERE, "external_offset_past_end", "w.bin"), "wb") as f:
        f.write(b"\0" * 4)
    ext = tensor("w", FLOAT, [1], external=[("location", "../hostile/w.bin")])
    write("external_dotdot", add(ext), x_in())
    # Locations that hostile.sh turns into a symbolic link to a file, one
    # through a linked folder, one through /proc/self, and a FIFO.
    for case, loc in [("external_symlink", "link.bin"), ("external_symlink_dir", "up/passwd"),
                      ("external_proc", "p/environ"), ("external_fifo", "fifo.bin")]:
        write(case, add(tensor("w", FLOAT, [4], external=[("location", loc)])), x_in())


if __name__ == "__main__":
    main()
