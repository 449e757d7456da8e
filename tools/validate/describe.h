/* vdk-validate: a case in words, for the table, the JSON report and the seed of
 * its data. The case model itself is tools/cases/cases.h. */
#ifndef VDK_VALIDATE_DESCRIBE_H
#define VDK_VALIDATE_DESCRIBE_H

#include "cases.h"

/* "x[2,3,4,5,8] w[8,3,1,1,8]": the tensors that say what the case is. */
void vv_shape_string(const vc_case *c, char *buf, size_t size);
/* "groups=4 eps=1e-05 frame silu affine": the parameters, defaults spelled out. */
void vv_params_string(const vc_case *c, char *buf, size_t size);

#endif
