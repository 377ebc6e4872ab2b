"""The error of bad user input, shared by every module of algebra/ (and re-exported by
algebra.activation, where it began): the command line turns it into one line and exit 2."""
from __future__ import annotations


class SpecError(ValueError):
    """A user-supplied specification (activation, network, partition...) is malformed."""
