# tools: filled in by its part
