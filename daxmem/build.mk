# daxmem: filled in by its part
