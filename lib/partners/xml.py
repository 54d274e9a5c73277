"""GeoReport v2's XML answers (the `.xml` form of every route): the same records as the JSON ones,
under the specification's element names (services/service, service_definition, service_requests/
request, errors/error)."""
from __future__ import annotations

from xml.etree import ElementTree

# (root element, element of each item) per call; a dict answer has no item element.
ROOTS = {
    "open311.services.list": ("services", "service"),
    "open311.services.get": ("service_definition", None),
    "open311.requests.create": ("service_requests", "request"),
    "open311.requests.list": ("service_requests", "request"),
    "open311.requests.get": ("service_requests", "request"),
    "errors": ("errors", "error"),
}
ITEM_OF_LIST = {"attributes": "attribute", "values": "value"}


def _fill(element: ElementTree.Element, value) -> None:
    if isinstance(value, dict):
        for name, inner in value.items():
            _fill(ElementTree.SubElement(element, name), inner)
    elif isinstance(value, list):
        for inner in value:
            _fill(ElementTree.SubElement(element, ITEM_OF_LIST.get(element.tag, "item")), inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(kind: str, body) -> bytes:
    """The answer of call `kind` (or "errors") as an XML document."""
    root_name, item_name = ROOTS[kind]
    root = ElementTree.Element(root_name)
    if item_name is None:
        _fill(root, body)
    else:
        for item in body:
            _fill(ElementTree.SubElement(root, item_name), item)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
