# The shader variants built into the library (cmake/VdkShaders.cmake). Storage
# dtypes: STORAGE 0 = f32, 1 = f16, 2 = bf16 (16-bit values in uint16_t arrays,
# converted in the shader; shaders/common/dtype.glsl). The three variants of an
# operator are declared in that order, one after the other: src/vulkan/ops.c
# picks one as the f32 variant's id plus 0, 1 or 2. Operator selection and
# workgroup size are specialization constants, not variants.
foreach(_op unary binary softmax)
  vdk_shader(${_op}_f32 ${_op} -DSTORAGE=0)
  vdk_shader(${_op}_f16 ${_op} -DSTORAGE=1)
  vdk_shader(${_op}_bf16 ${_op} -DSTORAGE=2)
endforeach()
# attention.comp holds two kernels: flash (any grouping and length) and the
# short temporal one (TEMPORAL=1: a workgroup per (pixel, head)).
vdk_shader(attention_f32 attention -DSTORAGE=0)
vdk_shader(attention_f16 attention -DSTORAGE=1)
vdk_shader(attention_bf16 attention -DSTORAGE=2)
vdk_shader(attention_temporal_f32 attention -DSTORAGE=0 -DTEMPORAL=1)
vdk_shader(attention_temporal_f16 attention -DSTORAGE=1 -DTEMPORAL=1)
vdk_shader(attention_temporal_bf16 attention -DSTORAGE=2 -DTEMPORAL=1)
