/* vdk-bench: the work one case counts (docs/results.md's conventions), the
 * estimates that decide what a backend declines, and the checks on a case
 * table. The case model itself is tools/cases/cases.h;
 * the tables are in sets.c. */
#ifndef VDK_BENCH_COUNTS_H
#define VDK_BENCH_COUNTS_H

#include "cases.h"

/* FLOPs of one call by docs/results.md: conv3d and linear 2*M*N*K (GEGLU
 * counts its full Cout; bias, activation and residual are not counted),
 * attention 4*sequences*Lq*Lk*C, softmax 5 per element, group/layer/RMS norm 8
 * per element plus a fused SiLU's 4, unary SiLU 4, GELU 8, sigmoid 4, affine 1,
 * binary 1, blend 3, upsample and concat 0, timestep embedding 4 per output
 * element. Exact in double up to 2^53. */
double vb_flops(const vc_case *c);
/* Elements of every input read once plus the output written once. */
int64_t vb_elements_moved(const vc_case *c);
/* vb_elements_moved in bytes of dtype's storage. */
double vb_min_bytes(const vc_case *c, vdk_dtype dtype);
/* "compute" (conv3d, linear, spatial or spatio-temporal self-attention) or
 * "memory" (everything else). */
const char *vb_bound(const vc_case *c);
bool vb_compute_bound(const vc_case *c);

/* Seconds the reference backend is estimated to need for one call (it
 * computes in double; the estimate errs on the slow side). vdk-bench skips
 * reference cases above its --ref-limit with this figure. */
double vb_reference_seconds(const vc_case *c);
/* Bytes one call needs on backend b in dtype: its tensors, plus the
 * reference's dense double copy of each. */
double vb_case_memory(const vc_case *c, vdk_backend b, vdk_dtype dtype);

/* Checks what vdk.h requires of the case's shapes and parameters that the
 * tables could get wrong (heads dividing C, an output of positive size...).
 * Returns false with a message naming the case. */
bool vb_case_valid(const vc_case *c, char *msg, size_t size);

#endif
