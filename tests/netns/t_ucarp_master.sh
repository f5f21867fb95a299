#!/usr/bin/env bash
# ucarp as the preferred master, carpd as its backup: see interop.sh.
PREF=ucarp
OTHER=carpd
# shellcheck source=tests/netns/interop.sh
. "${top_srcdir:-.}/tests/netns/interop.sh"
