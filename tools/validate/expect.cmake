# ctest helper: runs EXE with ARGS (one string, split like a shell command line) and
# fails unless the exit status is RC and stdout + stderr match REGEX.
#   cmake -DEXE=... -DARGS="..." -DRC=1 -DREGEX="..." [-DEMU="qemu-aarch64 -L ..."] -P expect.cmake
# EMU, in a cross build, is the emulator EXE runs under (one string, like ARGS).
separate_arguments(_args UNIX_COMMAND "${ARGS}")
separate_arguments(_emu UNIX_COMMAND "${EMU}")
execute_process(COMMAND ${_emu} ${EXE} ${_args} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out
  ERROR_VARIABLE _err)
message("${_out}${_err}")
if(NOT "${_rc}" STREQUAL "${RC}")
  message(FATAL_ERROR "expected exit status ${RC}, got ${_rc}")
endif()
if(NOT "${_out}${_err}" MATCHES "${REGEX}")
  message(FATAL_ERROR "output does not match: ${REGEX}")
endif()
