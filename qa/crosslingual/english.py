"""English words as the cross-lingual layer sees them: normalised stems.

The same function reads dictionary glosses and questions, so "vaccination",
"vaccines" and "Vaccine" meet on one stem ("vaccin") and British spellings on
the American one ("immunisation" → "immunization" → "immun").
"""
from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")

# British → American before stemming; suffix rules apply at the end of a word only
_SPELLING_WHOLE = {"centre": "center", "centres": "centers", "programme": "program", "programmes": "programs",
                   "ageing": "aging", "paediatric": "pediatric", "anaemia": "anemia", "haemophilia": "hemophilia",
                   "oesophageal": "esophageal", "foetal": "fetal", "licence": "license", "defence": "defense"}
_SPELLING_SUFFIX = (("isation", "ization"), ("isations", "izations"), ("ise", "ize"), ("ises", "izes"),
                    ("ised", "ized"), ("ising", "izing"), ("our", "or"), ("ours", "ors"))
# -ise/-our words that are not British spellings of -ize/-or
_SPELLING_KEEP = frozenset("rise arise raise praise wise otherwise exercise advise advertise expertise enterprise "
                           "supervise surprise compromise premise promise precise concise franchise merchandise "
                           "noise poise cruise treatise disguise revise devise demise paradise bruise "
                           "our hour four pour tour your sour flour devour".split())

# Function words, question words and the words that frame a question about these
# documents ("which district's plan says …"): they name no content to translate.
STOP = frozenset("""
a about above after again against all also am an and any are as at be been before being below between both but by
can could did do does doing done down during each few for from further had has have having he her here hers him his
how i if in into is it its itself just me more most my no nor not now of off on once only or other our out over own
same she should so some such than that the their them then there these they this those through to too under until up
very was we were what when where which while who whom whose why will with would you your yours shall may might must
let lets per via etc among amongst within without upon onto whether either neither yet
much many several every another one's
district districts city cities county counties place places document documents plan plans bureau bureaus
say says said mention mentions mentioned mentioning refer refers referred state states stated
""".split())

# irregular plurals Snowball leaves alone; dictionary glosses use the singular
_IRREGULAR = {"children": "child", "women": "woman", "men": "man", "people": "person", "teeth": "tooth",
              "feet": "foot", "mice": "mouse", "geese": "goose", "lives": "life", "wives": "wife",
              "elderly": "elder", "data": "data", "media": "media", "criteria": "criterion"}

_stemmer = snowballstemmer.stemmer("english")


# the Greek ae/oe of British medical words (thalassaemia, haemorrhage, paediatrics, gynaecology, oedema,
# oestrogen, diarrhoea, foetus, caesarean): American writes e
_MEDICAL_AE = re.compile(r"(?<=[^aeiou])aem(?=ia)|^haem|^paed|(?<=orthop)aed|(?<=gyn)aec|^caes|^anaes|^aetiol|"
                         r"^oesoph|^oedem|^oestr|^foet|(?<=rrh)oea|^amoeb")


def american(word: str) -> str:
    """One British spelling → the American one (lower-case in, lower-case out)."""
    if word in _SPELLING_WHOLE:
        return _SPELLING_WHOLE[word]
    if _MEDICAL_AE.search(word):
        word = _MEDICAL_AE.sub(lambda m: m.group(0).replace("ae", "e").replace("oe", "e"), word)
    if word in _SPELLING_KEEP or len(word) <= 5:
        return word
    for gb, us in _SPELLING_SUFFIX:
        if word.endswith(gb):
            return word[: -len(gb)] + us
    return word


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Lower-cased, American-spelled Snowball (Porter2) stem of one word."""
    w = word.lower().strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    return _stemmer.stemWord(_IRREGULAR.get(w) or american(w))


def words(text: str) -> list[str]:
    """Every Latin word of text, in order (hyphens split words: age-eligible → age, eligible)."""
    return _WORD.findall(text)


def is_stop(word: str) -> bool:
    low = word.lower()
    return low in STOP or (low.endswith("'s") and low[:-2] in STOP) or len(low) < 2


def content_stems(text: str) -> list[tuple[int, str, str]]:
    """(position among all words, surface, stem) for each non-stop word of text, in order."""
    return [(i, w, stem(w)) for i, w in enumerate(words(text)) if not is_stop(w)]


# words a verb is followed by in a question ("which head spoke at the conference", "who saw a doctor")
_AFTER_VERB = frozenset("at in on to for with by from about during of the a an this that these those its their his "
                        "her our my your any some and or".split())


# words a noun is preceded by ("mention a saw", "the spokes")
_BEFORE_NOUN = frozenset("a an the this that these those its their his her our my your any some no each every".split())


@lru_cache(maxsize=4096)
def _inflected_verb(word: str) -> bool:
    """`word` is an inflected form of another verb (spoke ← speak, saw ← see, held ← hold), by lemminflect's
    English tables; "vaccines" or "rabies" are not."""
    from lemminflect import getAllLemmas

    return any(lemma != word for lemma in getAllLemmas(word).get("VERB", ()))


def verb_forms(text: str) -> frozenset[str]:
    """The words of an English question used as verbs though a dictionary also lists them as things: an
    inflected verb form followed by a preposition, an article or a pronoun, or closing the question
    ("Which deputy county head spoke at…" is no question about a wheel's spokes; "wound care" and "a saw" stay
    things)."""
    toks = [w.lower() for w in _WORD.findall(text)]
    return frozenset(w for i, w in enumerate(toks)
                     if (i + 1 == len(toks) or toks[i + 1] in _AFTER_VERB) and not (i and toks[i - 1] in _BEFORE_NOUN)
                     and _inflected_verb(w))
