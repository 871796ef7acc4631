# vmm: filled in by its part
