# The shader variants built into the library (cmake/VdkShaders.cmake). Storage
# dtypes: STORAGE 0 = f32, 1 = f16, 2 = bf16 (16-bit values in uint16_t arrays,
# converted in the shader; shaders/common/dtype.glsl). The three variants of an
# operator are declared in that order, one after the other: src/vulkan/ops.c
# picks one as the f32 variant's id plus 0, 1 or 2. Operator selection,
# workgroup size, GEMM tile shapes and conv geometry are specialization
# constants, not variants. linear and conv3d share shaders/common/gemm.glsl.
foreach(_op unary binary softmax linear conv3d)
  vdk_shader(${_op}_f32 ${_op} -DSTORAGE=0)
  vdk_shader(${_op}_f16 ${_op} -DSTORAGE=1)
  vdk_shader(${_op}_bf16 ${_op} -DSTORAGE=2)
endforeach()
# The normalisations, blend and timestep_embedding: f32 compute on the three
# storage dtypes, in order, like the others.
foreach(_op group_norm layer_norm rms_norm blend timestep_embedding)
  vdk_shader(${_op}_f32 ${_op} -DSTORAGE=0)
  vdk_shader(${_op}_f16 ${_op} -DSTORAGE=1)
  vdk_shader(${_op}_bf16 ${_op} -DSTORAGE=2)
endforeach()
# vdk_device_peak's loops (src/vulkan/peak.c): not operators, no storage dtype.
vdk_shader(peak_fma_f32 peak_fma -DF16=0)
vdk_shader(peak_fma_f16 peak_fma -DF16=1)
vdk_shader(peak_copy peak_copy)
vdk_shader(peak_read peak_read)

# The data-movement operators copy bits, never values, in a unit of UNIT
# bytes (shaders/common/unit.glsl): the f32/f16/bf16 variants move one element
# (f16 and bf16 share the code), and a 16-bit pair moves as the f32 variant's
# 4-byte unit; _u64 and _u128 move 8 and 16 bytes where every offset and stride
# allows (src/vulkan/rows.c).
foreach(_op concat upsample)
  vdk_shader(${_op}_f32 ${_op} -DUNIT=4)
  vdk_shader(${_op}_f16 ${_op} -DUNIT=2)
  vdk_shader(${_op}_bf16 ${_op} -DUNIT=2)
  vdk_shader(${_op}_u64 ${_op} -DUNIT=8)
  vdk_shader(${_op}_u128 ${_op} -DUNIT=16)
endforeach()
# attention.comp holds two kernels: flash (any grouping and length) and the
# short temporal one (TEMPORAL=1: a workgroup per (pixel, head)).
vdk_shader(attention_f32 attention -DSTORAGE=0)
vdk_shader(attention_f16 attention -DSTORAGE=1)
vdk_shader(attention_bf16 attention -DSTORAGE=2)
vdk_shader(attention_temporal_f32 attention -DSTORAGE=0 -DTEMPORAL=1)
vdk_shader(attention_temporal_f16 attention -DSTORAGE=1 -DTEMPORAL=1)
vdk_shader(attention_temporal_bf16 attention -DSTORAGE=2 -DTEMPORAL=1)
