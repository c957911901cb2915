"""The volunteers service's pure rules: no I/O, the clock passed in."""
