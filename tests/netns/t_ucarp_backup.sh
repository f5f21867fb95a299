#!/usr/bin/env bash
# carpd as the preferred master, ucarp as its backup: see interop.sh.
PREF=carpd
OTHER=ucarp
# shellcheck source=tests/netns/interop.sh
. "${top_srcdir:-.}/tests/netns/interop.sh"
