"""Questions that name several places ("鲅鱼圈区和秀英区各自的…目标是多少？",
"Hainan Prefecture and Jiulongpo: by when…"): one answer line per place.

Without this the answer is the single best sentence, so the second place named
goes unanswered although its passage was retrieved. A place named together
with a finer one inside it ("上海市嘉定区", "福州市鼓楼区") is one place, not two:
its documents among the hits contain the finer place's.
"""
from __future__ import annotations

from collections.abc import Sequence

from .pick import Pick
from ..records import Hit


def compared_places(mentions: Sequence, hits: Sequence[Hit]) -> list[frozenset[str]]:
    """The doc_id sets, one per place the question compares, among the hits (in the order named).

    `mentions` are the question's place mentions (`field`, `value`: catalogue field and value).
    Fewer than two sets means the question compares nothing.
    """
    groups: dict[tuple[str, str], frozenset[str]] = {}
    for m in mentions:
        key = (m.field, m.value)
        if key not in groups:
            groups[key] = frozenset(h.doc_id for h in hits if getattr(h, m.field, None) == m.value)
    sets = [s for s in groups.values() if s]
    # a place containing another named place (its city, its province) is that place, said more fully
    kept = [s for s in sets if not any(o < s for o in sets)]
    return list(dict.fromkeys(kept))


def one_per_place(picks: Sequence[Pick], places: Sequence[frozenset[str]], need_number: bool) -> list[Pick]:
    """The best pick of each compared place, in the order the places were named.

    Picks come best first; when the best sentence carries a number, each place's
    line should too if one of its sentences does (a target compared with a target).
    A place with no candidate sentence is left out rather than filled with another's.
    """
    out = []
    for docs in places:
        own = [p for p in picks if p.hit.doc_id in docs]
        if not own:
            continue
        with_number = [p for p in own if p.has_number] if need_number else []
        out.append((with_number or own)[0])
    return out
