"""The REST API, version 1: one NinjaAPI, one router per app.

Every operation must state who may call it: an ``auth`` (see ``dieuhanh.core.api_auth``)
or, for the rare public one, ``auth=None`` together with an entry in ``PUBLIC_OPERATIONS``.
``tests/api/test_openapi.py`` fails for an operation that does neither.
"""

from ninja import NinjaAPI

from dieuhanh.accounts.api import router as accounts_router
from dieuhanh.analytics.api import router as analytics_router
from dieuhanh.catalog.api import (
    disaggregations_router,
    indicators_router,
    metadata_router,
    regimes_router,
)
from dieuhanh.core.api import router as core_router
from dieuhanh.core.api_auth import DHIS2_MODULES, MODULE_ALIASES, api_auth
from dieuhanh.core.api_errors import install_error_handlers
from dieuhanh.datavalues.api import imports_router, values_router
from dieuhanh.directives.api import router as directives_router
from dieuhanh.orgunits.api import router as orgunits_router
from dieuhanh.quality.api import router as quality_router
from dieuhanh.targets.api import router as targets_router

api = NinjaAPI(
    title="Điều hành API",
    version="1",
    description=(
        "API of the Government information, reporting and operations system "
        "(Hệ thống thông tin chỉ đạo, điều hành). Errors carry a machine-readable `code`."
    ),
    urls_namespace="api-v1",
    auth=api_auth,
    docs_url="/docs",
    openapi_url="/openapi.json",
)

# Operations that anyone may call, by operation id. Keep this list short and justified.
PUBLIC_OPERATIONS: frozenset[str] = frozenset()

api.add_router("/system", core_router)
api.add_router("/orgunits", orgunits_router)
api.add_router("/accounts", accounts_router)
api.add_router("/indicators", indicators_router)
api.add_router("/disaggregations", disaggregations_router)
api.add_router("/reporting-regimes", regimes_router)
api.add_router("/metadata", metadata_router)
api.add_router("/datavalues", values_router)
api.add_router("/imports", imports_router)
api.add_router("/quality", quality_router)
api.add_router("/analytics", analytics_router)
api.add_router("/directives", directives_router)
api.add_router("/targets", targets_router)
# One token scope for the catalog: catalog:read / catalog:write.
MODULE_ALIASES.update(
    {
        "indicators": "catalog",
        "disaggregations": "catalog",
        "reporting-regimes": "catalog",
        "metadata": "catalog",
        "imports": "datavalues",
    }
)
DHIS2_MODULES.update({"dataValueSets": "datavalues", "system": "datavalues"})
install_error_handlers(api)
