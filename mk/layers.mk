# SPDX-License-Identifier: MIT
# mk/layers.mk - tidepool's layers, and the compiler flags every build of
# them shares: the Makefile (target images), tests/host/host.mk (host tests),
# tests/fuzz/fuzz.mk (fuzzers) and the benchmarks include this file.
#
# Each layer is one library, compiled with its own include path and those of
# the layers below it, nothing else: an #include of a higher layer's header
# does not build (tests/layers/run.sh proves it for every layer).
#
#   layer    folders                                  sees (include path)
#   port     port/ (tp_port.h, the formatter)         port
#   kernel   kernel/, the board, port/cortexm/        kernel, port
#   alloc    alloc/ (the allocator, its debug and     alloc, port
#            tracking layers)
#   gc       gc/                                      gc, alloc, port
#   objects  objects/                                 objects, gc, alloc, port
#   prof     prof/ (heap dumps, scopes)               prof, alloc, kernel, port
#   libc     libc/ (malloc & co. for newlib)          libc, alloc, kernel, port
#   programs demo/, tests/, bench/                    every layer, and the root
#
# On the host, port/host/ replaces port/cortexm/ and the kernel is not built.
#
# TP_DIR is the tidepool tree (default: the current folder).

TP_DIR ?= .

# ---- compiler flags ----
TP_CSTD     := -std=c11
TP_WARNINGS := -Wall -Wextra -Werror -Wconversion -Wsign-conversion -Wshadow \
               -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wcast-align

# ---- include paths, by layer ----
TP_INC_port    := -I$(TP_DIR)/port
TP_INC_kernel  := -I$(TP_DIR)/kernel $(TP_INC_port)
TP_INC_alloc   := -I$(TP_DIR)/alloc $(TP_INC_port)
TP_INC_gc      := -I$(TP_DIR)/gc $(TP_INC_alloc)
TP_INC_objects := -I$(TP_DIR)/objects $(TP_INC_gc)
TP_INC_prof    := -I$(TP_DIR)/prof $(TP_INC_alloc) -I$(TP_DIR)/kernel
TP_INC_libc    := -I$(TP_DIR)/libc $(TP_INC_alloc) -I$(TP_DIR)/kernel
TP_INC_program := -I$(TP_DIR)/objects -I$(TP_DIR)/gc -I$(TP_DIR)/alloc -I$(TP_DIR)/prof \
                  -I$(TP_DIR)/libc -I$(TP_DIR)/kernel $(TP_INC_port) -I$(TP_DIR)

# The layer a source file belongs to (its path, with or without TP_DIR/ in
# front): port, kernel, alloc, gc, objects, prof, libc, or program.
tp_rel   = $(patsubst ./%,%,$(patsubst $(TP_DIR)/%,%,$1))
tp_layer = $(strip $(foreach f,$(call tp_rel,$1),\
    $(if $(filter port/cortexm/%,$f),kernel,\
    $(if $(filter port/host/% port/%,$f),port,\
    $(if $(filter kernel/% boards/% $(call tp_rel,$(BOARD_DIR))/%,$f),kernel,\
    $(if $(filter alloc/%,$f),alloc,\
    $(if $(filter gc/%,$f),gc,\
    $(if $(filter objects/%,$f),objects,\
    $(if $(filter prof/%,$f),prof,\
    $(if $(filter libc/%,$f),libc,program))))))))))
# The include flags for compiling source file $1.
tp_inc = $(TP_INC_$(call tp_layer,$1))

# ---- sources, by layer ----
# (in the tree itself without a leading ./, so that they read as elsewhere)
tp_wildcard = $(patsubst ./%,%,$(wildcard $(TP_DIR)/$1))
TP_SRCS_port        := $(call tp_wildcard,port/*.c)
TP_SRCS_port_target := $(call tp_wildcard,port/cortexm/*.c)
TP_SRCS_port_host   := $(call tp_wildcard,port/host/*.c)
TP_SRCS_kernel      := $(call tp_wildcard,kernel/*.c) $(TP_SRCS_port) $(TP_SRCS_port_target)
TP_SRCS_alloc       := $(call tp_wildcard,alloc/*.c)
TP_SRCS_gc          := $(call tp_wildcard,gc/*.c)
TP_SRCS_objects     := $(call tp_wildcard,objects/*.c)
TP_SRCS_prof        := $(call tp_wildcard,prof/*.c)
TP_SRCS_libc        := $(call tp_wildcard,libc/*.c)
# what the host builds of the portable layers link instead of the kernel
TP_SRCS_host_port   := $(TP_SRCS_port) $(TP_SRCS_port_host)

# $(call tp_objs,OBJDIR,SOURCES): the objects of SOURCES under OBJDIR
tp_objs = $(patsubst %.c,$1/%.o,$(call tp_rel,$2))
