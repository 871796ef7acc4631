#!/bin/sh
# Old name of `daxmemctl reconfigure-region` (docs/daxmemctl.md), kept for scripts that call it.
case "${1:-}" in
to-pdax) [ $# -eq 2 ] && exec daxmemctl reconfigure-region "$2" --backend pageless ;;
to-hmem) [ $# -eq 2 ] && exec daxmemctl reconfigure-region "$2" --backend devdax ;;
status) exec daxmemctl list -R -u ;;
esac
echo "usage: $0 to-pdax START | to-hmem START | status (see daxmemctl reconfigure-region --help)" >&2
exit 1
