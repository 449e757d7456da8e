# Writes the SPIR-V file IN as a C array NAME into OUT (cmake -P; run by
# cmake/VdkShaders.cmake after spirv-val has accepted IN).
file(READ ${IN} _hex HEX)
string(LENGTH "${_hex}" _n)
math(EXPR _bytes "${_n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _list "${_hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n    " _list "${_list}")
file(WRITE ${OUT} "/* Generated from ${IN} by cmake/embed_spirv.cmake. */\n"
  "#include <stddef.h>\n"
  "_Alignas(4) const unsigned char vdk_spv_${NAME}[${_bytes}] = {\n    ${_list}\n};\n"
  "const size_t vdk_spv_${NAME}_size = ${_bytes};\n")
