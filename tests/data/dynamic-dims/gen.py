#!/usr/bin/python3
"""gen.py — writes two one-node models (Relu, opset 13) whose input has
dynamic dimensions, for gate A's malformed_input_shape check:

  tail/model.onnx    x: float [2, T]   (the last dimension dynamic, the first static)
  any/model.onnx     x: float [N, M]   (every dimension dynamic)

No test data: the lab generates inputs (dynamic dimensions as 1).  The
protobuf is encoded by hand (no onnx package needed); run from anywhere:
    python3 tests/data/dynamic-dims/gen.py
The output is deterministic."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field_varint(num, v):
    return varint(num << 3) + varint(v)


def field_bytes(num, b):
    if isinstance(b, str):
        b = b.encode()
    return varint(num << 3 | 2) + varint(len(b)) + b


def dim(d):
    # TensorShapeProto.Dimension: dim_value = 1, dim_param = 2
    return field_varint(1, d) if isinstance(d, int) else field_bytes(2, d)


def value_info(name, dims):
    shape = b"".join(field_bytes(1, dim(d)) for d in dims)
    tensor = field_varint(1, 1) + field_bytes(2, shape)  # elem_type FLOAT, shape
    type_proto = field_bytes(1, tensor)                   # TypeProto.tensor_type
    return field_bytes(1, name) + field_bytes(2, type_proto)


def model(dims):
    node = field_bytes(1, "x") + field_bytes(2, "y") + field_bytes(3, "relu") + \
        field_bytes(4, "Relu")
    graph = field_bytes(1, node) + field_bytes(2, "dynamic") + \
        field_bytes(11, value_info("x", dims)) + field_bytes(12, value_info("y", dims))
    opset = field_bytes(1, "") + field_varint(2, 13)
    return field_varint(1, 8) + field_bytes(2, "infergate-tests") + \
        field_bytes(7, graph) + field_bytes(8, opset)


for name, dims in (("tail", [2, "T"]), ("any", ["N", "M"])):
    os.makedirs(os.path.join(HERE, name), exist_ok=True)
    with open(os.path.join(HERE, name, "model.onnx"), "wb") as f:
        f.write(model(dims))
