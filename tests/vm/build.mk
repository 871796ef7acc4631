# testbed build rules (guest images are built by tests/vm/run itself)
