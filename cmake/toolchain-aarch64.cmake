# Cross build for AArch64 Linux with Debian's cross gcc, tests run under QEMU
# user mode (tools/test-neon.sh; Debian: gcc-aarch64-linux-gnu
# libc6-dev-arm64-cross qemu-user). ctest prefixes the emulator to every test
# whose command is a target; tests that run a target through a script take it
# from VDK_EMULATOR (CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

# clang cross-compiles too: -DCMAKE_C_COMPILER=clang
# -DCMAKE_C_COMPILER_TARGET=aarch64-linux-gnu (it finds gcc's cross libraries;
# without an AArch64 libomp, with -DVDK_OPENMP=OFF).
if(NOT CMAKE_C_COMPILER)
  set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
endif()
if(NOT CMAKE_CXX_COMPILER)
  set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
endif()

set(VDK_AARCH64_SYSROOT /usr/aarch64-linux-gnu CACHE PATH "AArch64 libraries QEMU loads")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;${VDK_AARCH64_SYSROOT})

# Libraries and headers of the target only; programs (python3, glslang) of the host.
set(CMAKE_FIND_ROOT_PATH ${VDK_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
