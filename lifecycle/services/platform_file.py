"""Reading a leadership platform YAML file into a checked document, with line numbers for every problem."""

from __future__ import annotations

import re
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import yaml
from yaml.nodes import MappingNode
from yaml.nodes import Node
from yaml.nodes import ScalarNode
from yaml.nodes import SequenceNode

MAX_FILE_BYTES = 1024 * 1024
#: a platform's mappings and lists nest six levels deep; anything much deeper is not a platform file
MAX_DEPTH = 12
LANGUAGES = ("sv", "en")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
OFFSET_PATTERN = re.compile(r"^(-?\d{1,4}) (day|week|month)s?$")
RESPONSIBLE = ("manager", "line_manager", "hr_partner", "mentor")
ACTIVITY_KINDS = (
    "course",
    "workshop",
    "mentoring",
    "interview",
    "introduction_milestone",
    "development_review",
    "exit_interview",
    "employer_branding",
    "aspirant_programme",
    "other",
)


class PlatformFileError(ValueError):
    """The file cannot be loaded; `problems` lists each one as "line N: what is wrong"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


#: the most texts a platform file may bring for one expectation, per bank and language
MAX_BANK_TEXTS = 20
#: the longest ad phrase or interview question a platform file may bring
MAX_BANK_TEXT_LENGTH = 2000


@dataclass(frozen=True)
class ExpectationDoc:
    key: str
    text: dict[str, str]
    #: ad phrases for the recruitment's phrase bank, per language (each optional)
    phrases: dict[str, list[str]] = field(default_factory=dict)
    #: behaviour-based interview questions for the question bank, per language
    questions: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class PillarDoc:
    key: str
    name: dict[str, str]
    description: dict[str, str]
    trait: dict[str, str]
    expectations: list[ExpectationDoc]
    #: the management-group workshops' discussion questions for this pillar, per language (each optional)
    workshop_questions: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class MilestoneDoc:
    """A milestone of the platform's default introduction programme."""

    title: str
    offset_amount: int
    #: days, weeks or months after the start date (negative: before it)
    offset_unit: str
    #: manager, line_manager, hr_partner or mentor
    responsible: str
    pillars: list[str]
    expectations: list[str]
    description: str = ""


@dataclass(frozen=True)
class ProgrammeDoc:
    """The default introduction programme a platform file may carry."""

    name: str
    description: str
    milestones: list[MilestoneDoc]


@dataclass(frozen=True)
class CatalogueItemDoc:
    """An activity of the catalogue a platform file may carry (the demo offers these)."""

    title: str
    kind: str
    pillars: list[str]
    expectations: list[str]
    description: str = ""


@dataclass(frozen=True)
class PlatformDoc:
    key: str
    municipality: dict[str, str]
    name: dict[str, str]
    promise: dict[str, str]
    whole: dict[str, str]
    purpose: dict[str, str]
    values: list[dict[str, str]]
    pillars: list[PillarDoc]
    #: the default introduction programme, if the file has one (else one is built from the pillars)
    introduction: ProgrammeDoc | None = None
    catalogue: list[CatalogueItemDoc] = field(default_factory=list)
    # -- effect map ----
    effect_map: list[EffectDoc] = field(default_factory=list)

    def defaults(self) -> dict[str, Any] | None:
        """The programme and catalogue as stored with the platform (JSON), or None without either."""
        if self.introduction is None and not self.catalogue:
            return None
        return {
            "introduction": asdict(self.introduction) if self.introduction else None,
            "catalogue": [asdict(item) for item in self.catalogue],
        }


@dataclass
class _Reader:
    """Walks the YAML node tree, collecting every problem instead of stopping at the first."""

    problems: list[str] = field(default_factory=list)

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(f"line {node.start_mark.line + 1}: {message}")

    def mapping(
        self, node: Node, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.problem(node, f"{where} must be a mapping of keys to values")
            return None
        result: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self.problem(key_node, f"{where} has a key that is not text")
                continue
            if key in result:
                self.problem(key_node, f"{where} has '{key}' twice")
                continue
            if key not in required and key not in optional:
                allowed = ", ".join((*required, *optional))
                self.problem(key_node, f"{where} has an unknown field '{key}' (allowed: {allowed})")
                continue
            result[key] = value_node
        missing = [name for name in required if name not in result]
        if missing:
            self.problem(node, f"{where} is missing {', '.join(repr(m) for m in missing)}")
            return None
        return result

    def text(self, node: Node, where: str) -> str | None:
        if (
            not isinstance(node, ScalarNode)
            or node.tag != "tag:yaml.org,2002:str"
            or not str(node.value).strip()
        ):
            self.problem(node, f"{where} must be a non-empty text")
            return None
        return str(node.value).strip()

    def key(self, node: Node, where: str, prefix: str = "") -> str | None:
        value = self.text(node, where)
        if value is None:
            return None
        local = value.removeprefix(prefix) if prefix else value
        if prefix and not value.startswith(prefix):
            self.problem(node, f"{where} '{value}' must start with '{prefix}'")
            return None
        if not KEY_PATTERN.match(local):
            self.problem(node, f"{where} '{value}' may only hold lower-case letters, digits and _")
            return None
        return value

    def languages(self, node: Node, where: str) -> dict[str, str] | None:
        fields = self.mapping(node, where, LANGUAGES)
        if fields is None:
            return None
        texts = {lang: self.text(fields[lang], f"{where}.{lang}") for lang in LANGUAGES}
        if any(value is None for value in texts.values()):
            return None
        return {lang: value for lang, value in texts.items() if value is not None}

    def texts_per_language(self, node: Node, where: str) -> dict[str, list[str]]:
        """Lists of texts by language, each language optional: {"sv": [...], "en": [...]}."""
        fields = self.mapping(node, where, (), LANGUAGES)
        if fields is None:
            return {}
        result: dict[str, list[str]] = {}
        for lang, list_node in fields.items():
            items = self.sequence(list_node, f"{where}.{lang}")
            if len(items) > MAX_BANK_TEXTS:
                self.problem(list_node, f"{where}.{lang} has more than {MAX_BANK_TEXTS} texts")
                continue
            texts = []
            for number, item in enumerate(items, start=1):
                value = self.text(item, f"{where}.{lang} text {number}")
                if value is not None and len(value) > MAX_BANK_TEXT_LENGTH:
                    self.problem(item, f"{where}.{lang} text {number} is longer than {MAX_BANK_TEXT_LENGTH}")
                elif value is not None:
                    texts.append(value)
            result[lang] = texts
        return result

    def sequence(self, node: Node, where: str, *, may_be_empty: bool = False) -> list[Node]:
        if not isinstance(node, SequenceNode) or not (node.value or may_be_empty):
            self.problem(node, f"{where} must be a {'' if may_be_empty else 'non-empty '}list")
            return []
        return list(node.value)

    def known_keys(self, node: Node | None, where: str, known: set[str]) -> list[str]:
        """A list of keys, each one the file defines (`known`)."""
        if node is None:
            return []
        keys = []
        for item in self.sequence(node, where, may_be_empty=True):
            value = self.text(item, f"{where} item")
            if value is None:
                continue
            if value not in known:
                self.problem(item, f"{where}: '{value}' is not a key of this platform")
                continue
            keys.append(value)
        return keys


def parse_platform(content: bytes | str) -> PlatformDoc:
    """Check a platform file and return its document, or raise PlatformFileError naming each problem."""
    if isinstance(content, bytes):
        if len(content) > MAX_FILE_BYTES:
            raise PlatformFileError([f"the file is larger than {MAX_FILE_BYTES // 1024} KiB"])
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PlatformFileError([f"the file is not UTF-8 text (byte {exc.start})"]) from exc
    try:
        _refuse_aliases_and_deep_nesting(content)
        root = yaml.compose(content, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}" if mark is not None else "the file"
        raise PlatformFileError([f"{line}: not valid YAML: {exc.problem or exc.context}"]) from exc
    except yaml.YAMLError as exc:
        raise PlatformFileError([f"not valid YAML: {exc}"]) from exc
    if root is None:
        raise PlatformFileError(["line 1: the file is empty"])

    reader = _Reader()
    doc = _read_platform(reader, root)
    if reader.problems or doc is None:
        raise PlatformFileError(reader.problems or ["the file could not be read"])
    return doc


def _refuse_aliases_and_deep_nesting(content: str) -> None:
    """Refuse anchors and aliases, and nesting deeper than a platform has, before building the tree.

    A platform file needs neither: aliases let a small file stand for an enormous one (a "billion
    laughs" file) and the tree is built recursively, so deep nesting would exhaust the stack.
    """
    depth = 0
    for event in yaml.parse(content, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise PlatformFileError([f"line {line}: anchors and aliases (& and *) are not allowed"])
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise PlatformFileError(
                    [f"line {line}: nested deeper than a platform file is ({MAX_DEPTH} levels)"]
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


_TEXT_FIELDS = ("municipality", "name", "promise", "whole", "purpose")


def _read_platform(reader: _Reader, root: Node) -> PlatformDoc | None:
    fields = reader.mapping(
        root,
        "the platform",
        ("key", *_TEXT_FIELDS, "values", "pillars"),
        ("introduction", "catalogue", "effect_map"),  # -- effect map ----
    )
    if fields is None:
        return None
    key = reader.key(fields["key"], "the platform key")
    texts = {name: reader.languages(fields[name], name) for name in _TEXT_FIELDS}
    values = [
        reader.languages(node, f"value {number}")
        for number, node in enumerate(reader.sequence(fields["values"], "values"), start=1)
    ]
    pillars: list[PillarDoc] = []
    seen_pillars: set[str] = set()
    seen_expectations: set[str] = set()
    for number, node in enumerate(reader.sequence(fields["pillars"], "pillars"), start=1):
        pillar = _read_pillar(reader, node, number, seen_expectations)
        if pillar is None:
            continue
        if pillar.key in seen_pillars:
            reader.problem(node, f"pillar key '{pillar.key}' is used twice")
            continue
        seen_pillars.add(pillar.key)
        pillars.append(pillar)
    pillar_keys = {p.key for p in pillars}
    expectation_keys = {e.key for p in pillars for e in p.expectations}
    introduction = (
        _read_programme(reader, fields["introduction"], pillar_keys, expectation_keys)
        if "introduction" in fields
        else None
    )
    catalogue = (
        [
            item
            for number, node in enumerate(reader.sequence(fields["catalogue"], "catalogue"), start=1)
            if (item := _read_catalogue_item(reader, node, number, pillar_keys, expectation_keys)) is not None
        ]
        if "catalogue" in fields
        else []
    )
    # -- effect map ----
    effect_map = (
        _read_effect_map(reader, fields["effect_map"], pillar_keys, expectation_keys)
        if "effect_map" in fields
        else []
    )
    if key is None or reader.problems:
        return None
    return PlatformDoc(
        key=key,
        municipality=texts["municipality"] or {},
        name=texts["name"] or {},
        promise=texts["promise"] or {},
        whole=texts["whole"] or {},
        purpose=texts["purpose"] or {},
        values=[value for value in values if value is not None],
        pillars=pillars,
        introduction=introduction,
        catalogue=catalogue,
        effect_map=effect_map,
    )


def _read_pillar(reader: _Reader, node: Node, number: int, seen: set[str]) -> PillarDoc | None:
    where = f"pillar {number}"
    fields = reader.mapping(
        node, where, ("key", "name", "description", "trait", "expectations"), ("workshop_questions",)
    )
    if fields is None:
        return None
    key = reader.key(fields["key"], f"{where} key")
    name = reader.languages(fields["name"], f"{where} name")
    description = reader.languages(fields["description"], f"{where} description")
    trait = reader.languages(fields["trait"], f"{where} trait")
    expectations: list[ExpectationDoc] = []
    for position, exp_node in enumerate(reader.sequence(fields["expectations"], f"{where} expectations"), 1):
        exp_where = f"{where} expectation {position}"
        exp_fields = reader.mapping(exp_node, exp_where, ("key", "text"), ("phrases", "questions"))
        if exp_fields is None or key is None:
            continue
        exp_key = reader.key(exp_fields["key"], f"{exp_where} key", prefix=f"{key}.")
        text = reader.languages(exp_fields["text"], f"{exp_where} text")
        banks = {
            name: reader.texts_per_language(exp_fields[name], f"{exp_where} {name}")
            for name in ("phrases", "questions")
            if name in exp_fields
        }
        if exp_key is None or text is None:
            continue
        if exp_key in seen:
            reader.problem(exp_fields["key"], f"expectation key '{exp_key}' is used twice")
            continue
        seen.add(exp_key)
        expectations.append(ExpectationDoc(key=exp_key, text=text, **banks))
    workshop_questions = (
        reader.texts_per_language(fields["workshop_questions"], f"{where} workshop_questions")
        if "workshop_questions" in fields
        else {}
    )
    if key is None or name is None or description is None or trait is None:
        return None
    return PillarDoc(
        key=key,
        name=name,
        description=description,
        trait=trait,
        expectations=expectations,
        workshop_questions=workshop_questions,
    )


def _tags(
    reader: _Reader, fields: dict[str, Node], where: str, pillar_keys: set[str], expectation_keys: set[str]
) -> tuple[list[str], list[str]] | None:
    pillars = reader.known_keys(fields.get("pillars"), f"{where} pillars", pillar_keys)
    expectations = reader.known_keys(fields.get("expectations"), f"{where} expectations", expectation_keys)
    if not pillars and not expectations:
        node = fields.get("pillars") or next(iter(fields.values()))
        reader.problem(node, f"{where} needs at least one pillar or expectation")
        return None
    return pillars, expectations


def _read_programme(
    reader: _Reader, node: Node, pillar_keys: set[str], expectation_keys: set[str]
) -> ProgrammeDoc | None:
    fields = reader.mapping(node, "introduction", ("name", "milestones"), ("description",))
    if fields is None:
        return None
    name = reader.text(fields["name"], "introduction name")
    description = (
        reader.text(fields["description"], "introduction description") if "description" in fields else ""
    )
    milestones = []
    for number, milestone_node in enumerate(
        reader.sequence(fields["milestones"], "introduction milestones"), 1
    ):
        where = f"introduction milestone {number}"
        milestone = reader.mapping(
            milestone_node,
            where,
            ("title", "offset", "responsible"),
            ("pillars", "expectations", "description"),
        )
        if milestone is None:
            continue
        title = reader.text(milestone["title"], f"{where} title")
        offset = reader.text(milestone["offset"], f"{where} offset")
        match = OFFSET_PATTERN.match(offset or "")
        if offset is not None and match is None:
            reader.problem(
                milestone["offset"],
                f"{where} offset '{offset}' must be like '-5 days', '1 week' or '3 months'",
            )
        responsible = reader.text(milestone["responsible"], f"{where} responsible")
        if responsible is not None and responsible not in RESPONSIBLE:
            reader.problem(
                milestone["responsible"], f"{where} responsible must be one of {', '.join(RESPONSIBLE)}"
            )
            responsible = None
        text = (
            reader.text(milestone["description"], f"{where} description")
            if "description" in milestone
            else ""
        )
        tags = _tags(reader, milestone, where, pillar_keys, expectation_keys)
        if title is None or match is None or responsible is None or tags is None or text is None:
            continue
        milestones.append(
            MilestoneDoc(
                title, int(match.group(1)), f"{match.group(2)}s", responsible, tags[0], tags[1], text
            )
        )
    if name is None or description is None:
        return None
    return ProgrammeDoc(name, description, milestones)


def _read_catalogue_item(
    reader: _Reader, node: Node, number: int, pillar_keys: set[str], expectation_keys: set[str]
) -> CatalogueItemDoc | None:
    where = f"catalogue item {number}"
    fields = reader.mapping(node, where, ("title", "kind"), ("pillars", "expectations", "description"))
    if fields is None:
        return None
    title = reader.text(fields["title"], f"{where} title")
    kind = reader.text(fields["kind"], f"{where} kind")
    if kind is not None and kind not in ACTIVITY_KINDS:
        reader.problem(fields["kind"], f"{where} kind must be one of {', '.join(ACTIVITY_KINDS)}")
        kind = None
    text = reader.text(fields["description"], f"{where} description") if "description" in fields else ""
    tags = _tags(reader, fields, where, pillar_keys, expectation_keys)
    if title is None or kind is None or tags is None or text is None:
        return None
    return CatalogueItemDoc(title, kind, tags[0], tags[1], text)


# -- effect map ----
#: the kinds of measure an effect may have (lifecycle.enums.MeasureKind)
MEASURE_KINDS = ("pulse_statement", "exits", "pillar_coverage", "obstacle_removal")
#: the statements of the pulse survey a `pulse_statement` measure names
PULSE_STATEMENT_KEYS = ("clear_expectations", "support")
#: the most drivers or described obstacles a file may bring for one effect
MAX_EFFECT_ITEMS = 20


@dataclass(frozen=True)
class EffectDoc:
    """A desired effect of the platform file's effect map, with its measure, drivers and obstacles."""

    key: str
    title: dict[str, str]
    description: dict[str, str]
    measure_kind: str
    #: the pulse statement of a `pulse_statement` measure
    statement: str | None
    #: the pillar of a `pillar_coverage` measure (required) or an `obstacle_removal` one (optional)
    measure_pillar: str | None
    pillars: list[str]
    expectations: list[str]
    #: drivers and obstacles described in words, each {"sv": ..., "en": ...}
    drivers: list[dict[str, str]] = field(default_factory=list)
    obstacles: list[dict[str, str]] = field(default_factory=list)


def _read_effect_map(
    reader: _Reader, node: Node, pillar_keys: set[str], expectation_keys: set[str]
) -> list[EffectDoc]:
    effects: list[EffectDoc] = []
    seen: set[str] = set()
    for number, effect_node in enumerate(reader.sequence(node, "effect_map"), start=1):
        effect = _read_effect(reader, effect_node, f"effect {number}", pillar_keys, expectation_keys)
        if effect is None:
            continue
        if effect.key in seen:
            reader.problem(effect_node, f"effect key '{effect.key}' is used twice")
            continue
        seen.add(effect.key)
        effects.append(effect)
    return effects


def _read_measure(
    reader: _Reader, node: Node, where: str, pillar_keys: set[str]
) -> tuple[str, str | None, str | None] | None:
    fields = reader.mapping(node, f"{where} measure", ("kind",), ("statement", "pillar"))
    if fields is None:
        return None
    kind = reader.text(fields["kind"], f"{where} measure kind")
    if kind is not None and kind not in MEASURE_KINDS:
        reader.problem(fields["kind"], f"{where} measure kind must be one of {', '.join(MEASURE_KINDS)}")
        return None
    statement = (
        reader.text(fields["statement"], f"{where} measure statement") if "statement" in fields else None
    )
    pillar = reader.text(fields["pillar"], f"{where} measure pillar") if "pillar" in fields else None
    if kind is None:
        return None
    if kind == "pulse_statement" and statement not in PULSE_STATEMENT_KEYS:
        reader.problem(
            fields.get("statement", node),
            f"{where} measure statement must be one of {', '.join(PULSE_STATEMENT_KEYS)}",
        )
        return None
    if kind != "pulse_statement" and "statement" in fields:
        reader.problem(fields["statement"], f"{where} measure statement is only for pulse_statement")
        return None
    if pillar is not None and pillar not in pillar_keys:
        reader.problem(fields["pillar"], f"{where} measure pillar '{pillar}' is not a key of this platform")
        return None
    if kind == "pillar_coverage" and pillar is None:
        reader.problem(node, f"{where} measure pillar_coverage needs a 'pillar'")
        return None
    if kind not in ("pillar_coverage", "obstacle_removal") and "pillar" in fields:
        reader.problem(
            fields["pillar"], f"{where} measure pillar is only for pillar_coverage and obstacle_removal"
        )
        return None
    return kind, statement, pillar


def _read_effect_items(
    reader: _Reader, fields: dict[str, Node], name: str, where: str
) -> list[dict[str, str]]:
    if name not in fields:
        return []
    nodes = reader.sequence(fields[name], f"{where} {name}")
    if len(nodes) > MAX_EFFECT_ITEMS:
        reader.problem(fields[name], f"{where} {name} has more than {MAX_EFFECT_ITEMS} items")
        return []
    items = []
    for number, item in enumerate(nodes, start=1):
        texts = reader.languages(item, f"{where} {name[:-1]} {number}")
        if texts is not None and any(len(text) > MAX_BANK_TEXT_LENGTH for text in texts.values()):
            reader.problem(item, f"{where} {name[:-1]} {number} is longer than {MAX_BANK_TEXT_LENGTH}")
        elif texts is not None:
            items.append(texts)
    return items


def _read_effect(
    reader: _Reader, node: Node, where: str, pillar_keys: set[str], expectation_keys: set[str]
) -> EffectDoc | None:
    fields = reader.mapping(
        node,
        where,
        ("key", "title", "measure"),
        ("description", "pillars", "expectations", "drivers", "obstacles"),
    )
    if fields is None:
        return None
    key = reader.key(fields["key"], f"{where} key")
    title = reader.languages(fields["title"], f"{where} title")
    description = (
        reader.languages(fields["description"], f"{where} description") if "description" in fields else {}
    )
    measure = _read_measure(reader, fields["measure"], where, pillar_keys)
    pillars = reader.known_keys(fields.get("pillars"), f"{where} pillars", pillar_keys)
    expectations = reader.known_keys(fields.get("expectations"), f"{where} expectations", expectation_keys)
    drivers = _read_effect_items(reader, fields, "drivers", where)
    obstacles = _read_effect_items(reader, fields, "obstacles", where)
    if key is None or title is None or description is None or measure is None:
        return None
    if len(title["sv"]) > 200 or len(title["en"]) > 200:
        reader.problem(fields["title"], f"{where} title is longer than 200")
        return None
    return EffectDoc(key, title, description, *measure, pillars, expectations, drivers, obstacles)
