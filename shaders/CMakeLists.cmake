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
