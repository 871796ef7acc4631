#!/bin/sh
# chatty SECONDS: ckloop SECONDS in the background while the console takes a
# flood of lines (about 40 KB/s: a 4 KiB ring and pipe fill in a fraction of
# a second), until ckloop ends; exits with ckloop's status. For tests of a
# host stdout that stalls while the guest prints. Unthrottled, the flood
# kept ckloop's own lines out of the console for minutes on a one-vCPU
# testbed.
ckloop "$@" &
ck=$!
i=0
while kill -0 $ck 2>/dev/null; do
	echo "CHATTY $i ......................................................................"
	i=$((i + 1))
	usleep 2000
done
wait $ck
