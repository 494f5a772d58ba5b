"""Places: the national gazetteer (`divisions`), a linear-time name matcher,
question-side recognition (`Gazetteer`) and document-side resolution
(`resolve_place`)."""
from .divisions import Division, GazetteerDataError, divisions, normalize_division, short_forms
from .gazetteer import Gazetteer, PlaceMention
from .level import asked_kinds, issuer_kind
from .resolve import PlaceResolution, resolve_place

__all__ = ["Division", "Gazetteer", "GazetteerDataError", "PlaceMention", "PlaceResolution", "asked_kinds", "divisions", "issuer_kind",
           "normalize_division", "resolve_place", "short_forms"]
