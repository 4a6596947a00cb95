# SPDX-License-Identifier: GPL-2.0
#
# The demo's models, made at build time from generated data (no downloads):
# edgeai-demo-gen writes training CSVs (seeded: the same bytes every time)
# and `edgeaictl model train` trains on them, into $(O)/demo/:
#
#   models/imu-anomaly.st     the IMU anomaly detector, version 1: an MLP
#                             (standardize, 16 relu, sigmoid) on the window
#                             features of the demo config's imu pipeline
#   models/imu-anomaly-v2.st  version 2, for the hot swap: other data
#                             (seed 2), other initial weights, more epochs
#   models/load-cell.st       the network sensors' linear regression
#   *.train.json              what each training reported (edgeaictl -j)
#
# Invoked by the root Makefile (`make demo`, `make tests`) after `all`.
include $(dir $(lastword $(MAKEFILE_LIST)))../../scripts/build.mk

DEMO_SRC := $(SRCROOT)/examples/demo
DEMO_OUT := $(abspath $(O))/demo
DEMO_CONF := $(DEMO_SRC)/edgeaid.conf
DEMO_GEN := $(DEMO_OUT)/edgeai-demo-gen
DEMO_GEN_OBJ := $(abspath $(O))/examples/demo/demo-gen.o
DEMO_CTL := $(abspath $(O))/edgeaictl
DEMO_LIB := $(abspath $(O))/lib/libedgeai.a
DEMO_MODELS := $(DEMO_OUT)/models/imu-anomaly.st \
	$(DEMO_OUT)/models/imu-anomaly-v2.st $(DEMO_OUT)/models/load-cell.st

# Training data: 60 s of the synth's IMU at 1 kHz with 2% anomalies (more
# positives than the demo's 1%), and 5000 load-cell rows.
IMU_ROWS := --samples 60000 --rate 1000 --anomaly-ppm 20000
NET_ROWS := --rows 5000
# The features are the CSV's columns but the last (the label / target).
features = $$(head -n 1 $(1) | sed 's/,[^,]*$$//')
IMU_TRAIN := --target anomaly --model mlp --hidden 16 --activation relu \
	--standardize --optimizer adam --lr 0.003 --batch 64 --val 0.2 \
	--name imu-anomaly
NET_TRAIN := --target load_pct --model linear --standardize --optimizer sgd \
	--lr 0.01 --epochs 50 --batch 32 --val 0.2 --name load-cell

all: $(DEMO_MODELS)

$(DEMO_GEN_OBJ): $(DEMO_SRC)/demo-gen.c $(SRCROOT)/VERSION
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(EDGEAI_CFLAGS) $(CFLAGS) -c $< -o $@

$(DEMO_GEN): $(DEMO_GEN_OBJ) $(DEMO_LIB)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(EDGEAI_LDFLAGS) -o $@ $^ $(LIBEDGEAI_LIBS)

$(DEMO_OUT)/imu-v%.csv: $(DEMO_GEN) $(DEMO_CONF)
	$(call msg,GEN,$@)
	$(Q)$(DEMO_GEN) imu --config $(DEMO_CONF) --pipeline imu --seed $* \
		$(IMU_ROWS) >$@.tmp 2>$@.log && mv $@.tmp $@

$(DEMO_OUT)/net.csv: $(DEMO_GEN) $(DEMO_CONF)
	$(call msg,GEN,$@)
	$(Q)$(DEMO_GEN) net --config $(DEMO_CONF) --pipeline net --seed 3 \
		$(NET_ROWS) >$@.tmp 2>$@.log && mv $@.tmp $@

# train OUT CSV ARGS: edgeaictl -j model train, its report in OUT's name
# with .train.json; one line of it on the terminal.
define train
	$(call msg,TRAIN,$(1))
	$(Q)mkdir -p $(dir $(1))
	$(Q)$(DEMO_CTL) -j model train --csv $(2) --features $(call features,$(2)) \
		$(3) -o $(1) >$(DEMO_OUT)/$(notdir $(basename $(1))).train.json || \
		{ cat $(DEMO_OUT)/$(notdir $(basename $(1))).train.json >&2; rm -f $(1); exit 1; }
endef

$(DEMO_OUT)/models/imu-anomaly.st: $(DEMO_OUT)/imu-v1.csv $(DEMO_CTL)
	$(call train,$@,$<,$(IMU_TRAIN) --seed 1 --epochs 10 --version 1)

$(DEMO_OUT)/models/imu-anomaly-v2.st: $(DEMO_OUT)/imu-v2.csv $(DEMO_CTL)
	$(call train,$@,$<,$(IMU_TRAIN) --seed 2 --epochs 20 --version 2)

$(DEMO_OUT)/models/load-cell.st: $(DEMO_OUT)/net.csv $(DEMO_CTL)
	$(call train,$@,$<,$(NET_TRAIN) --seed 3 --version 1)

.PHONY: all
.SECONDARY:
