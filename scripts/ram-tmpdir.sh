#!/usr/bin/env bash
# Print /dev/shm (or the folder given) when it can hold a test run's throwaway files: a
# writable tmpfs with 2 GB free. Else print nothing, and `make test` leaves TMPDIR as it is.
dir=${1:-/dev/shm}
[ -d "$dir" ] && [ -w "$dir" ] || exit 0
[ "$(stat -f -c %T "$dir" 2>/dev/null)" = "tmpfs" ] || exit 0
free_kb=$(df -Pk "$dir" 2>/dev/null | awk 'NR == 2 {print $4}')
[ "${free_kb:-0}" -ge 2097152 ] && echo "$dir"
exit 0
