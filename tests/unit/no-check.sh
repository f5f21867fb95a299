#!/bin/bash
# Run instead of the unit tests when configure found no Check library.
echo "the unit tests need the Check library (Debian: check); install it and re-run configure" >&2
exit 99
