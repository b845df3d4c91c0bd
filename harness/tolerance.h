/* tolerance.h — the backend-correctness tolerance of a model's outputs,
 * derived from the datatypes its arithmetic runs in (issue 17; benchdnn's
 * approach: a threshold per datatype from its precision and the
 * accumulation length, not one fp32 rtol for every model).
 *
 * The question it serves is the second of the compression lab's two: does
 * this backend compute this (compressed) model as the reference does?  Two
 * correct implementations of an int8 or bf16 model legitimately differ by
 * more than fp32's rounding: a last-bit fp32 difference before a
 * QuantizeLinear moves a value across a rounding boundary (one quantization
 * step), and a bf16 result rounds to one of two neighbours.  The rule, per
 * graph output (docs/compress.md, "Backend correctness"):
 *
 *   quantized: one quantization step of the output's last requantization
 *     (the largest scale of the DequantizeLinear it comes from), carried
 *     through the float operations after it by their gain (a Softmax's is
 *     at most 1, a Gemm with constant weights multiplies by the largest
 *     L2 norm of its weights per output: flips are rare and of either
 *     sign, so they add as a random walk), added to atol;
 *   fp16 / bf16 (unit roundoff u): rtol 2u·sqrt(D), D the roundings to that
 *     type on the longest path to the output; atol 2u·sqrt(K)·rms(output),
 *     K the longest accumulation (a dot product's length, a convolution's
 *     C·kh·kw) on that path — rounding errors of D roundings and of K terms
 *     add as a random walk, the probabilistic bound of Higham and Mary, and
 *     two implementations may each be that far from the exact result, on
 *     opposite sides (hence the 2);
 *   fp32 only (weight-only int4, palettes: weights dequantized exactly):
 *     nothing to derive; the fp32 rule applies.
 *
 * Where the step is known only at run time (DynamicQuantizeLinear of a
 * computed value) or a float operation after a quantization has no bounded
 * gain (a product of two computed values, a LayerNormalization), the
 * output is "not derived" and the given tolerance applies; the basis says
 * why. */
#ifndef IG_HARNESS_TOLERANCE_H
#define IG_HARNESS_TOLERANCE_H

#include <stddef.h>
#include <stdint.h>

#include "infergate/tensor.h"

enum ig__tol_kind {
    IG_TOL_FP32 = 0,      /* fp32 arithmetic only: the fp32 rule */
    IG_TOL_DERIVED = 1,   /* a lower-precision or quantized output: derived */
    IG_TOL_UNDERIVABLE = 2 /* lower precision, but no bound: the given rule */
};

typedef struct ig__tol {
    int kind;             /* enum ig__tol_kind */
    double step;          /* quantized: one step, carried to the output (0: none) */
    double u;             /* unit roundoff of the lowest float type on the path */
    int64_t depth;        /* roundings to that type on the longest path */
    int64_t k;            /* longest accumulation on the path */
    char basis[320];      /* what the rule rests on, for the report */
} ig__tol;

/* Analyses the model at path for the shapes of inputs (ninputs, in the
 * model's input order): plans it on the reference kernels once, so shapes,
 * accumulation lengths and constant weights are known.  Fills out[k] for
 * each of the model's noutputs graph outputs.  Returns 0, or an IG_E… code
 * with msg set (the caller then keeps its given tolerance). */
int ig__tol_derive(const char *path, const ig_tensor *inputs, int ninputs, ig__tol *out,
                   int noutputs, char *msg, size_t msglen);

/* The rtol and atol for one output: base_rtol and base_atol (the fp32
 * rule) widened by t as the header says; want is the expected output (its
 * rms scales the accumulation term).  For IG_TOL_FP32 and
 * IG_TOL_UNDERIVABLE the base is returned unchanged. */
void ig__tol_bounds(const ig__tol *t, const ig_tensor *want, double base_rtol, double base_atol,
                    double *rtol, double *atol);

#endif
