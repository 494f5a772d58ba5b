"""Places: the national gazetteer (`divisions`), a linear-time name matcher,
question-side recognition (`Gazetteer`) and document-side resolution
(`resolve_place`)."""
from .divisions import Division, GazetteerDataError, divisions, normalize_division, short_forms
from .gazetteer import Gazetteer, PlaceMention
from .resolve import PlaceResolution, resolve_place

__all__ = ["Division", "Gazetteer", "GazetteerDataError", "PlaceMention", "PlaceResolution", "divisions",
           "normalize_division", "resolve_place", "short_forms"]
