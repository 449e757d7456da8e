// vdk_linear: y = act(x w^T + bias) + residual over the last axis, or GEGLU's
// a * gelu(g) + residual; the tiled GEMM of common/gemm.glsl with one tap.
#version 450
#extension GL_GOOGLE_include_directive : require
#define GEMM_CONV 0
#include "common/gemm.glsl"
