// vdk_conv3d: y = act(conv(x, w) + bias) + residual on [N, T, H, W, C], as an
// implicit GEMM (common/gemm.glsl): each output position gathers its taps from x
// as it lies; kernel size, stride and padding are specialization constants.
#version 450
#extension GL_GOOGLE_include_directive : require
#define GEMM_CONV 1
#include "common/gemm.glsl"
