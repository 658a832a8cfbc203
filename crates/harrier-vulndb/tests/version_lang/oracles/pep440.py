"""packaging.version oracle for harrier's version tests.

Reads JSON [a, b] lines, writes JSON [str(Version(a))|None, str(Version(b))|None, order|None]
lines. Python's integer-size limit raises ValueError rather than InvalidVersion; both mean the
string is not a version packaging accepts.
"""

import json
import sys

from packaging.version import Version


def parse(text):
    try:
        return Version(text)
    except ValueError:
        return None


def main():
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(4300)
    out = []
    for line in sys.stdin.buffer:
        a, b = json.loads(line)
        va, vb = parse(a), parse(b)
        order = None
        if va is not None and vb is not None:
            order = (va > vb) - (va < vb)
        out.append(json.dumps([va and str(va), vb and str(vb), order]))
    sys.stdout.write("".join(line + "\n" for line in out))


main()
