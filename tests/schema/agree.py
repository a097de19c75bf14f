#!/usr/bin/env python3
"""The pack schema (surveys/pack.schema.json) and the pack loader agree.

Every shipped pack passes both. Each broken pack below, made from the first
shipped pack by one change, is refused by both: the JSON Schema checked by a
real validator (Debian's python3-jsonschema, draft 2020-12) and the loader run
through `sayso-admin validate`. Each pack below that changes only what a pack
may change is accepted by both. Where they differ on purpose the difference
is listed and checked too: a name the format does not know is refused by the
schema and warned of by the loader at the same path, and a few breakages no
schema can see (a picture that is not there, two questions with one id) are
refused by the loader alone.

usage: agree.py SAYSO_ADMIN SOURCE_DIR
"""
import copy
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

import jsonschema


def drop(path):
    def change(p):
        *parents, last = path
        node = p
        for k in parents:
            node = node[k]
        del node[last]
    return change


def put(path, value):
    def change(p):
        *parents, last = path
        node = p
        for k in parents:
            node = node[k]
        node[last] = value
    return change


def first_question_of_kind(kind):
    def find(p):
        for b in p["bands"]:
            for q in b["questions"]:
                if q["kind"] == kind:
                    return q
        raise LookupError(kind)
    return find


def on_question(kind, change):
    def apply(p):
        change(first_question_of_kind(kind)(p))
    return apply


def each(*changes):
    def apply(p):
        for c in changes:
            c(p)
    return apply


def options(n):
    return [{"id": f"o{i}", "label": {"en": f"Option {i}"}} for i in range(n)]


def measured_scale(tones):
    """The first pick_one question measuring "listened", its answers given these tones (None: no tone)."""
    def change(q):
        q["measure"] = "listened"
        for o, t in zip(q["options"], tones):
            if t is not None:
                o["tone"] = t
            else:
                o.pop("tone", None)
    return on_question("pick_one", change)


FACES_READ_KINDLY = {"very_sad": "negative", "sad": "negative", "ok": "positive", "happy": "positive",
                     "very_happy": "positive"}


# Broken in ways a schema can say: both must refuse.
BROKEN = [
    ("no format", drop(["format"])),
    ("a format from the future", put(["format"], 2)),
    ("no id", drop(["id"])),
    ("an id with a space", put(["id"], "after my visit")),
    ("an id starting with a dot", put(["id"], ".hidden")),
    ("an empty version", put(["version"], "")),
    ("a title that is a string", put(["title"], "Hello")),
    ("a title with no languages", put(["title"], {})),
    ("no languages", put(["languages"], [])),
    ("languages without English", put(["languages"], ["pl"])),
    ("a language code that is not one", put(["languages"], ["en", "Polish"])),
    ("a language twice", put(["languages"], ["en", "en"])),
    ("no visit types", put(["visit_types"], [])),
    ("a visit type without a label", put(["visit_types", 0], {"id": "visit"})),
    ("a required word missing", drop(["words", "welcome"])),
    ("a word with empty text", put(["words", "welcome"], {"en": ""})),
    ("no bands", put(["bands"], [])),
    ("a band without questions", put(["bands", 0, "questions"], [])),
    ("a band without a picture", drop(["bands", 0, "picture"])),
    ("a band age that is a string", put(["bands", 0, "min_age"], "four")),
    ("a band age below zero", put(["bands", 0, "min_age"], -1)),
    ("a band age over 120", put(["bands", 0, "max_age"], 121)),
    ("a picture that is not a PNG name", put(["bands", 0, "picture"], "pictures/band.jpg")),
    ("a picture path from the root", put(["bands", 0, "picture"], "/etc/band.png")),
    ("a question of an unknown kind", put(["bands", 0, "questions", 0, "kind"], "slider")),
    ("a question without text", drop(["bands", 0, "questions", 0, "text"])),
    ("faces without a scale", on_question("faces", lambda q: q.pop("scale", None))),
    ("faces on a scale of 4", on_question("faces", lambda q: q.__setitem__("scale", 4))),
    ("faces with options", on_question("faces", lambda q: q.__setitem__("options", options(3)))),
    ("pick one without options", on_question("pick_one", lambda q: q.pop("options"))),
    ("pick one with one option", on_question("pick_one", lambda q: q.__setitem__("options", options(1)))),
    ("pick one with 13 options", on_question("pick_one", lambda q: q.__setitem__("options", options(13)))),
    ("an option without a label", on_question("pick_one", lambda q: q["options"][0].pop("label"))),
    ("yes/no with options", on_question("yes_no", lambda q: q.__setitem__("options", options(2)))),
    ("a text question 0 characters long",
     on_question("yes_no", lambda q: q.update({"kind": "text", "max_length": 0}))),
    ("talk_button that is not true or false", put(["talk_button"], "yes")),
    ("drafts that is not a list", put(["drafts"], "pl")),
    ("measures that is not a list", put(["measures"], "listened")),
    ("an empty list of measures", put(["measures"], [])),
    ("a measure without a statement", put(["measures", 0], {"id": "listened"})),
    ("a measure id with a space", put(["measures", 0, "id"], "listened to")),
    ("a measured choice with an answer lacking a tone", measured_scale(["positive", None, "negative", "none"])),
    ("an answer's tone that is not one", measured_scale(["good", "middling", "negative", "none"])),
    ("a tone on an answer of a choice of many",
     on_question("pick_many", lambda q: q["options"][0].__setitem__("tone", "positive"))),
    ("the faces' tones given in part", put(["tones"], {"faces": {"ok": "positive"}})),
    ("tones for a kind the kiosk does not draw", put(["tones"], {"pick_one": {}})),
    ("a face read as something that is not a tone", put(["tones"], {"faces": dict(FACES_READ_KINDLY, ok="great")})),
    ("a service area without a label", put(["service_areas", 0], {"id": "early-help"})),
    ("a pack picture that is not a path", put(["picture"], 7)),
]

# A name the pack format does not know: the schema refuses it (an editor
# flags the typo), the loader takes the pack and warns at that very path (a
# kiosk never refuses a pack that worked before over a name it ignores).
WARNED = [
    ("an unknown top-level key", put(["colour"], "blue"), "$.colour"),
    ("a word Sayso does not know", put(["words", "welcom"], {"en": "Hi"}), "$.words.welcom"),
    ("an unknown band key", put(["bands", 0, "colour"], "red"), "$.bands[0].colour"),
    ("an unknown option key", on_question("pick_one", lambda q: q["options"][0].__setitem__("score", 1)),
     ".options[0].score"),
    ("an unknown measure key", put(["measures", 0, "colour"], "red"), "$.measures[0].colour"),
]

# Changes a pack may make: both must accept.
FINE = [
    ("no drafts", drop(["drafts"])),
    ("no talk button", put(["talk_button"], False)),
    ("a band of its own cohort", put(["bands", 0, "cohort"], "care_leavers")),
    ("faces on a scale of 5", on_question("faces", lambda q: q.__setitem__("scale", 5))),
    ("pick one with 12 options", on_question("pick_one", lambda q: q.__setitem__("options", options(12)))),
    ("a question without a measure", on_question("yes_no", lambda q: q.pop("measure", None))),
    ("an option that asks to talk", on_question("pick_one", lambda q: q["options"][0].__setitem__("asks_to_talk", True))),
    ("a pack from before measures were declared", each(drop(["measures"]), drop(["service_areas"]))),
    ("a measured choice without tones, before measures were declared",
     each(drop(["measures"]), measured_scale([None, None, None, None]))),
    ("a measured choice with a tone on every answer", measured_scale(["positive", "middling", "negative", "none"])),
    ("faces read a council's own way", put(["tones"], {"faces": FACES_READ_KINDLY})),
    ("yes/no read a council's own way", put(["tones"], {"yes_no": {"yes": "positive", "not_sure": "none", "no": "negative"}})),
    ("no service areas", drop(["service_areas"])),
    ("no pack picture", drop(["picture"])),
]

# Beyond what a schema can say: the loader refuses, the schema accepts.
LOADER_ONLY = [
    ("a picture that is not in the pack", put(["bands", 0, "picture"], "pictures/not-there.png")),
    ("a picture outside the pack folder", put(["bands", 0, "picture"], "../outside.png")),
    ("a pack picture that is not in the pack", put(["picture"], "pictures/not-there.png")),
    ("two questions with one id",
     lambda p: p["bands"][0]["questions"][1].__setitem__("id", p["bands"][0]["questions"][0]["id"])),
    ("a band whose ages run backwards", each(put(["bands", 0, "min_age"], 9), put(["bands", 0, "max_age"], 5))),
    ("a question measuring what the pack does not declare",
     on_question("faces", lambda q: q.__setitem__("measure", "feeling_safer"))),
    ("two measures with one id", lambda p: p["measures"][1].__setitem__("id", p["measures"][0]["id"])),
    ("two service areas with one id",
     lambda p: p["service_areas"][1].__setitem__("id", p["service_areas"][0]["id"])),
]


def main():
    admin, source = sys.argv[1], pathlib.Path(sys.argv[2])
    schema = json.loads((source / "surveys" / "pack.schema.json").read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failures = []

    def schema_says(pack):
        return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(pack)]

    def loader_says(folder):
        r = subprocess.run([admin, "validate", str(folder)], capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout + r.stderr

    packs = sorted(p.parent for p in (source / "surveys").glob("*/pack.json"))
    if not packs:
        failures.append("no shipped packs found under surveys/")
    for folder in packs:
        errors = schema_says(json.loads((folder / "pack.json").read_text()))
        if errors:
            failures.append(f"{folder.name}: the schema refuses a shipped pack: {errors[:3]}")
        code, said = loader_says(folder)
        if code != 0:
            failures.append(f"{folder.name}: the loader refuses a shipped pack: {said[:500]}")

    base = packs[0]
    original = json.loads((base / "pack.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        warned = [(name, change) for name, change, _ in WARNED]
        where = {name: path for name, _, path in WARNED}
        for group, schema_ok, loader_ok in ((BROKEN, False, False), (FINE, True, True), (LOADER_ONLY, True, False),
                                            (warned, False, True)):
            for name, change in group:
                pack = copy.deepcopy(original)
                change(pack)
                folder = pathlib.Path(tmp) / "pack"
                if folder.exists():
                    shutil.rmtree(folder)
                shutil.copytree(base, folder)
                (folder / "pack.json").write_text(json.dumps(pack, ensure_ascii=False, indent=1))
                errors = schema_says(pack)
                code, said = loader_says(folder)
                if (not errors) != schema_ok:
                    failures.append(f"{name}: the schema {'refuses' if errors else 'accepts'} it: {errors[:2]}")
                if (code == 0) != loader_ok:
                    failures.append(f"{name}: the loader {'accepts' if code == 0 else 'refuses'} it: {said[:300]}")
                if name in where and not any(where[name] + ": warning: " in line for line in said.splitlines()):
                    failures.append(f"{name}: the loader does not warn at {where[name]}: {said[:300]}")
                print(f"{name}: schema {'refuses' if errors else 'accepts'}, loader {'accepts' if code == 0 else 'refuses'}")

    for f in failures:
        print("DISAGREE:", f, file=sys.stderr)
    print(f"{len(packs)} shipped pack(s), {len(BROKEN)} broken, {len(FINE)} fine, {len(WARNED)} warned,"
          f" {len(LOADER_ONLY)} loader-only;"
          f" {len(failures)} disagreement(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
