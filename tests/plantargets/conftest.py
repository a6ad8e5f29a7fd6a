# Imported in the package's conftest (not in a test module), so that the reference data is
# the package's and is removed when the package ends (imported into a module, a
# package-scoped fixture would outlive it).
from tests.datavalues.conftest import catalog  # noqa: F401 - the package's reference data
