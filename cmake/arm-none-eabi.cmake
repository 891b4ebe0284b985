# SPDX-License-Identifier: MIT
# The cross toolchain for tidepool firmware: Debian's arm-none-eabi-gcc with
# newlib-nano.  Use: cmake -DCMAKE_TOOLCHAIN_FILE=<tidepool>/cmake/arm-none-eabi.cmake
# The CPU flags come from the board (TIDEPOOL_BOARD), through tidepool::runtime.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_OBJCOPY arm-none-eabi-objcopy)
set(CMAKE_SIZE arm-none-eabi-size)
# no program can run on the build machine: the compiler checks only compile
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_EXECUTABLE_SUFFIX .elf)
# tidepool::runtime links its layers and the C library as one group
# (RESCAN: ld's --start-group/--end-group)
set(CMAKE_C_LINK_GROUP_USING_RESCAN "LINKER:--start-group" "LINKER:--end-group")
set(CMAKE_C_LINK_GROUP_USING_RESCAN_SUPPORTED TRUE)
