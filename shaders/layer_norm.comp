// vdk_layer_norm over the last axis: the body is shaders/common/row_norm.glsl.
#version 450
#extension GL_GOOGLE_include_directive : require
#define RMS 0
#include "common/row_norm.glsl"
