# unit tests: each part defines its own unit binary in its build.mk and appends it to UNIT_BINS
-include tests/unit/*/build.mk
