import os

import pytest
from hypothesis import settings

# Property tests run a fixed number of examples, derandomized: CI must be reproducible.
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def phc_ready():
    """phcpy must be importable: a missing solver is a failure here, never a skip."""
    from algebra import phc

    assert phc.available(), phc.INSTALL_HINT
    return phc
