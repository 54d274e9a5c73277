"""The OpenAPI document of the Open311 routes: valid OpenAPI 3.1, and it names every route served."""
from __future__ import annotations

from openapi_spec_validator import validate

from lib.partners import openapi


def test_the_document_is_valid_and_names_every_open311_route():
    from lib.core.config import load_settings
    from lib.ops import open311_api

    document = openapi.document()
    validate(document)
    served = {(r.path.replace("{fmt}", "json").replace("{code}", "{service_code}")
               .replace("{id}", "{service_request_id}"), m.lower())
              for r in open311_api.routes(lambda: load_settings({})) if r.path.startswith(open311_api.PREFIX)
              for m in r.methods - {"HEAD"}}
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert served == documented
