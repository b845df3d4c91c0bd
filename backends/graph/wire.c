/* wire.c — a pass over a serialized ONNX model before protobuf-c unpacks
 * it: measures how deep subgraphs nest and counts the nodes.
 *
 * protobuf_c_message_unpack recurses once per nested message with no
 * limit, so a 128 KB file of 3,000 nested If subgraphs overflows the
 * stack inside it; and the unpacked message of a file that lists millions
 * of empty nodes costs far more memory than the file.  The design
 * decision: walk the wire format with the schema's own descriptors
 * (protobuf-c's, generated from onnx-subset.proto), so a length-delimited
 * field is entered only when the schema says it is a message, and stop at
 * the limits (--limits graph-depth, nodes) before descending further: the
 * pass itself recurses at most to the limit.  Wire data the pass cannot
 * follow is left for protobuf-c to refuse. */
#include <stdio.h>

#include "onnx_io.h"

typedef struct {
    int64_t nodes;
    int depth_hit;      /* graph nesting past the limit */
    int msg_hit;        /* message nesting past the bound */
    int max_msg_depth;
    int max_gdepth;
} wctx;

static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

/* Returns 0 when walked (or malformed: protobuf-c will say so), 1 when a
 * limit was hit. */
static int walk(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t len,
                int depth, int gdepth, wctx *w)
{
    if (d == &ig_onnx__graph_proto__descriptor && ++gdepth > w->max_gdepth) {
        w->depth_hit = 1;
        return 1;
    }
    if (d == &ig_onnx__node_proto__descriptor && ++w->nodes > ig__limits_get()->max_nodes)
        return 1;
    if (depth > w->max_msg_depth) {
        w->msg_hit = 1;
        return 1;
    }
    const uint8_t *end = p + len;
    while (p < end) {
        uint64_t tag, v;
        if (varint(&p, end, &tag))
            return 0;
        switch (tag & 7) {
        case 0:
            if (varint(&p, end, &v))
                return 0;
            break;
        case 1:
            if ((size_t)(end - p) < 8)
                return 0;
            p += 8;
            break;
        case 5:
            if ((size_t)(end - p) < 4)
                return 0;
            p += 4;
            break;
        case 2: {
            if (varint(&p, end, &v) || v > (uint64_t)(end - p))
                return 0;
            const ProtobufCFieldDescriptor *f =
                tag >> 3 <= UINT32_MAX
                    ? protobuf_c_message_descriptor_get_field(d, (unsigned)(tag >> 3))
                    : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE &&
                walk(f->descriptor, p, (size_t)v, depth + 1, gdepth, w))
                return 1;
            p += v;
            break;
        }
        default:
            return 0;
        }
    }
    return 0;
}

int ig__model_wire_check(const uint8_t *buf, size_t len, const char *path, char *msg,
                         size_t msglen)
{
    const ig__limits *l = ig__limits_get();
    /* Each level of subgraph is Graph > Node > Attribute > Graph: three
     * messages; value types and tensors add a handful below any graph. */
    wctx w = {0, 0, 0, 3 * (l->max_graph_depth + 1) + 16, l->max_graph_depth + 1};
    if (!walk(&ig_onnx__model_proto__descriptor, buf, len, 0, 0, &w))
        return 0;
    if (msg && msglen) {
        if (w.depth_hit || w.msg_hit)
            snprintf(msg, msglen,
                     "%s: subgraphs (If, Loop, Scan bodies) nest deeper than "
                     "max-graph-depth (%d; raise with --limits graph-depth=N)",
                     path ? path : "(memory)", l->max_graph_depth);
        else
            snprintf(msg, msglen,
                     "%s: the model has more than max-nodes (%lld) nodes "
                     "(raise with --limits nodes=N)",
                     path ? path : "(memory)", (long long)l->max_nodes);
    }
    return IG_ELIMIT;
}
