#!/bin/sh
# chatty SECONDS: ckloop SECONDS in the background while the console takes a
# flood of lines, until ckloop ends; exits with ckloop's status. For tests
# of a host stdout that stalls while the guest prints.
ckloop "$@" &
ck=$!
i=0
while kill -0 $ck 2>/dev/null; do
	echo "CHATTY $i ......................................................................"
	i=$((i + 1))
done
wait $ck
