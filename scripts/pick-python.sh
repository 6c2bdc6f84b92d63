#!/usr/bin/env bash
# Print the interpreter `make setup` builds .venv with. Of the candidates (the arguments, else
# python3 on PATH, then /usr/bin/python3), the first that is Python 3.11+ able to make a venv
# and runs without libpython as a shared library; else the first able to make a venv; else
# python3, whose `-m venv` then says what is missing.
#
# An interpreter that calls into a shared libpython runs Python code slower than one with
# libpython linked in: pyenv builds the former by default (and without profile-guided
# optimisation), Debian's /usr/bin/python3 is the latter. The test suite takes about a seventh
# less CPU on Debian's (docs/performance.md, "Eleventh pass").
probe='
import sys
import ensurepip, venv  # noqa: F401 (Debian ships them apart, in python3-venv)
if sys.version_info < (3, 11):
    sys.exit(1)
if not sys.platform.startswith("linux"):
    print("unknown")
else:
    with open("/proc/self/maps") as maps:
        print("shared" if "/libpython" in maps.read() else "static")
'
[ $# -gt 0 ] || set -- python3 /usr/bin/python3
usable=""
for candidate in "$@"; do
    linking=$("$candidate" -c "$probe" 2>/dev/null) || continue
    if [ "$linking" = "static" ]; then
        echo "$candidate"
        exit 0
    fi
    usable=${usable:-$candidate}
done
echo "${usable:-python3}"
