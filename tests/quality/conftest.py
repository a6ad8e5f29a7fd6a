from tests.datavalues.conftest import catalog  # noqa: F401 - the package's reference data
