"""Generate the three small tasks `bench/defaults_tasks.py` measures the defaults on (issue #23), each with held-out
entities or phrasings: run ``python -m bench.tasks.make_tasks`` (``--check`` verifies the committed files).

Every task writes ``train.jsonl``, ``validation.jsonl`` and ``test.jsonl`` (OpenAI ``messages`` rows) under
``bench/tasks/<task>/``. Validation and test rows use entities and sentence shapes that never occur in training, and
test ones never occur in validation either, so a score on them measures the skill (copying a city, reading an
intent, naming who does what), not the memorised strings:

1. ``orders``: a free-text order → one line of JSON with item, quantity, colour and city (exact match);
2. ``intents``: a customer message → one of five intents (accuracy), the held-out messages in other wording;
3. ``notes``: a short team note → a one-sentence summary "<name> will <task> on <day>." (ROUGE-L, exact match).

Orders' and notes' held-out pools were widened (issue #23): with 3 items and 4 cities in orders' test rows and 4
names in notes', one word decided 25–40 % of a score (every setting spelt the 16 "sofa" rows wrong and every other
row right; " Mei" → "Mie" on notes), so no search could show a difference on them. Now orders has 10 items and 10
cities in validation, 12 and 12 in test; notes 10 names and 6 tasks in validation, 12 and 6 in test; both 40
validation and 80 test rows (no item, city or name in more than 13 of the 80 test rows). Held-out words still split
into other sub-word tokens than in their context (" sofas" `so|f|as` → `"so|fa`; " Mei" → `Me|i`): that is part of
the skill. Each task's train rows are drawn first from one seeded stream and their pools are as first written, so
train.jsonl (and every intents file) stayed byte-identical.

Validation rows with the test's kind of difficulty (issue #23, thirteenth session): picked by 40 validation rows, the
search's choice did not carry over to the test rows (orders: five rows up on validation, two down on test; notes'
validation shapes both say "{name} will …", where the test's hardest says "should"). Validation now holds more rows,
drawn from the same stream after the test rows (``MORE_VALIDATION``, the "more" pools), so the train and test files
stay byte-identical and the first 40 validation rows too: orders +40 rows of 8 more held-out items and 8 more
cities (each re-tokenising as the test's do: " lanterns" is one token, `"lan|tern` two), notes +24 rows of two
harder held-out shapes (another modal verb, "must" and "ought to"; the day first).

All text was written for this project. Deterministic (fixed seed, no clock), so re-running reproduces the files.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).parent
SEED = 20261205
SIZES = {"orders": {"train": 160, "validation": 40, "test": 80},
         "intents": {"train": 160, "validation": 24, "test": 40},
         "notes": {"train": 160, "validation": 40, "test": 80}}
MORE_VALIDATION = {"orders": 40, "notes": 24}  # validation rows drawn after the test rows, from the "more" pools


def _pools(values: list, shares=(0.6, 0.2, 0.2)) -> dict[str, list]:
    """Disjoint train/validation/test pools of `values` in the given shares (in order: the lists are written so)."""
    a = round(len(values) * shares[0])
    b = a + round(len(values) * shares[1])
    return {"train": values[:a], "validation": values[a:b], "test": values[b:]}


# ----------------------------------------------------------------------------------- 1. orders → JSON
ORDER_ITEMS = {  # the training pool as first written (its rows must not change); held-out pools widened (see above)
    "train": ["chair", "lamp", "mug", "towel", "kettle", "notebook", "blanket", "helmet", "basket", "candle", "pillow"],
    "validation": ["bottle", "scarf", "wallet", "jacket", "hammer", "cushion", "teapot", "ladder", "sponge", "drawer"],
    "test": ["umbrella", "sofa", "clock", "vase", "stool", "mirror", "bucket", "apron", "kite", "tripod", "saucer",
             "glove"],
    "more": ["lantern", "tray", "whisk", "napkin", "pitcher", "crate", "globe", "rug"],
}
ORDER_CITIES = {
    "train": ["Lyon", "Porto", "Leeds", "Gdansk", "Bergen", "Malmo", "Utrecht", "Graz", "Bilbao", "Turku", "Ghent",
              "Brno"],
    "validation": ["Aarhus", "Cork", "Kaunas", "Split", "Galway", "Linz", "Braga", "Bruges", "Debrecen", "Lille"],
    "test": ["Tartu", "Varna", "Pecs", "Zadar", "Tampere", "Plovdiv", "Kosice", "Szeged", "Trieste", "Lublin",
             "Aalborg", "Nantes"],
    "more": ["Sibiu", "Kotor", "Vigo", "Oulu", "Gyor", "Rimini", "Tromso", "Olomouc"],
}
COLOURS = ["red", "blue", "green", "black", "white", "grey", "yellow"]
ORDER_SHAPES = _pools([
    "Please send {q} {c} {items} to {city}.",
    "I'd like {q} {c} {items} delivered to {city}, thanks.",
    "Order for {city}: {q} {c} {items}.",
    "Can you ship {q} {c} {items} to our shop in {city}?",
    "We need {q} {c} {items} in {city} by next week.",
    "Deliver {q} {c} {items} to {city} please.",
    "{city} office wants {q} {c} {items}.",
    "Hi! Could {q} {c} {items} go out to {city}?",
    "Put me down for {q} {c} {items}, shipping to {city}.",
    "Requesting {q} {c} {items} for the {city} branch.",
    "Our {city} store is out of {c} {items}; send {q}.",
    "Ship to {city}: {c} {items}, quantity {q}.",
    "Need {q} more {c} {items} at the {city} warehouse.",
    "{q} {c} {items} for {city}, as soon as you can.",
    "Add an order: {q} {c} {items}, destination {city}.",
], (0.6, 0.2, 0.2))
ORDER_SHAPES["more"] = ORDER_SHAPES["validation"]
ORDER_SYSTEM = "Extract the order as one line of JSON with the keys item, quantity, colour and city."


def _order(rng: random.Random, split: str) -> dict:
    item, city = rng.choice(ORDER_ITEMS[split]), rng.choice(ORDER_CITIES[split])
    colour, q = rng.choice(COLOURS), rng.randint(2, 12)
    text = rng.choice(ORDER_SHAPES[split]).format(q=q, c=colour, items=item + "s", city=city)
    answer = json.dumps({"item": item, "quantity": q, "colour": colour, "city": city})
    return {"messages": [{"role": "system", "content": ORDER_SYSTEM}, {"role": "user", "content": text[0].upper()
                                                                        + text[1:]},
                         {"role": "assistant", "content": answer}]}


# ----------------------------------------------------------------------------------- 2. intents, unseen wording
INTENT_SYSTEM = "Classify the customer's message as one of: billing, shipping, technical, account, cancel."
INTENTS = {  # per intent: train phrasings, then held-out validation ones, then held-out test ones
    "billing": _pools([
        "I was charged twice this month.", "Why is my invoice higher than usual?", "There's a fee I don't recognise.",
        "Can I get a refund for the last payment?", "My card was billed the wrong amount.",
        "Please explain the extra charge on my bill.", "The receipt shows a price I never agreed to.",
        "How do I change the card you bill?", "I paid but the invoice still says unpaid.",
        "You took money from my account without asking.",
        "The amount on my statement looks wrong.", "I think you overcharged me.",
        "Where can I download last month's invoice?",
        "Your payment went through twice on my bank app.", "Why did the subscription price go up?",
    ]),
    "shipping": _pools([
        "My parcel hasn't arrived yet.", "Where is my package?", "The tracking number doesn't work.",
        "The delivery was left at the wrong address.", "How long does shipping take to Spain?",
        "My order says delivered but I have nothing.", "Can I change the delivery address?",
        "The courier never showed up.", "The box arrived crushed.", "When will my order be sent out?",
        "The package is stuck at customs.", "Has my order left the warehouse?",
        "The driver went to my neighbour's house.",
        "It's been two weeks and still no sign of the box.", "Can you send it by express instead?",
    ]),
    "technical": _pools([
        "The app crashes when I open it.", "I can't log in, the page keeps loading.", "The website shows an error 500.",
        "Uploads fail halfway through.", "The sync button does nothing.", "My screen goes blank after the update.",
        "The export feature is broken.", "Notifications stopped working.", "The app freezes on my phone.",
        "Search returns nothing even for exact names.",
        "The video player keeps buffering forever.", "Since yesterday the dashboard won't load.",
        "Buttons are greyed out and I can't click them.",
        "The program closes itself without warning.", "Pictures don't show up, just empty squares.",
    ]),
    "account": _pools([
        "How do I change my email address?", "I want to reset my password.", "Can I add a second user to my account?",
        "How do I update my phone number?", "Please merge my two accounts.", "I need to change my username.",
        "How can I turn on two-factor login?", "My profile name is spelled wrong.",
        "Can I move my account to another email?", "How do I download my personal data?",
        "I forgot which address I signed up with.", "Please update the name on my profile.",
        "Can my colleague get access to my workspace?",
        "I'd like a different login name.", "Where do I set a new security question?",
    ]),
    "cancel": _pools([
        "Please cancel my subscription.", "I want to close my account.", "Stop my membership at the end of the month.",
        "How do I end my plan?", "Cancel my order, I changed my mind.", "I no longer want the service.",
        "Please don't renew my plan.", "Terminate my contract please.", "I'd like to unsubscribe from the paid tier.",
        "Remove my account and stop all payments.",
        "I'm done, please end everything.", "Don't charge me again, I'm leaving.",
        "I want out of the yearly plan.",
        "Call off the order I placed this morning.", "Shut down my account for good.",
    ]),
}
INTENT_OPENERS = _pools(["", "Hello, ", "Hi there. ", "Good morning! ", "Hey, ", "Quick question: ", "Sorry to bother "
                         "you, but ", "Hi team, ", "Excuse me, ", "Help! "])


def _intent(rng: random.Random, split: str) -> dict:
    label = rng.choice(sorted(INTENTS))
    text = rng.choice(INTENT_OPENERS[split]) + rng.choice(INTENTS[label][split])
    return {"messages": [{"role": "system", "content": INTENT_SYSTEM}, {"role": "user", "content": text},
                         {"role": "assistant", "content": label}]}


# ----------------------------------------------------------------------------------- 3. notes → one-line summary
NAMES = {  # the training pool as first written; held-out pools widened (see above)
    "train": ["Marta", "Tomas", "Ines", "Kofi", "Lena", "Ravi", "Sofia", "Omar", "Elif", "Jonas", "Aiko", "Pavel"],
    "validation": ["Nadia", "Luis", "Greta", "Yusuf", "Ingrid", "Mateo", "Amara", "Lukas", "Noor", "Emre"],
    "test": ["Hana", "Bruno", "Mei", "Felix", "Ayla", "Dmitri", "Chiara", "Kwame", "Priya", "Soren", "Zofia", "Tariq"],
}
TASKS = {  # (what the note says was done/needed, what the summary says they will do)
    "train": [("the budget review", "present the budget review"), ("the new logo", "show the new logo"),
              ("the hiring plan", "share the hiring plan"), ("the server migration", "start the server migration"),
              ("the customer survey", "send out the customer survey"),
              ("the sales report", "present the sales report"), ("the office move", "organise the office move"),
              ("the training day", "run the training day"), ("the product demo", "give the product demo")],
    "validation": [("the price list", "publish the price list"), ("the safety check", "lead the safety check"),
                   ("the team lunch", "book the team lunch"), ("the holiday rota", "draw up the holiday rota"),
                   ("the press release", "write the press release"),
                   ("the stock count", "complete the stock count")],
    "test": [("the website update", "release the website update"), ("the audit notes", "file the audit notes"),
             ("the supplier contract", "sign the supplier contract"),
             ("the client workshop", "host the client workshop"), ("the travel policy", "rewrite the travel policy"),
             ("the board agenda", "circulate the board agenda")],
}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
NOTE_SHAPES = _pools([
    "Hi all, {name} has finished {thing} and will {does} on {day}. Send comments before then.",
    "Quick update: it's on {name}'s list to {does} on {day}. Everything else is unchanged.",
    "Reminder that {name} is going to {does} on {day}, so please keep that morning free.",
    "Team, {thing} is ready. On {day}, {name} will {does}; questions to them directly.",
    "Heads up: {day} is when {name} plans to {does}. Let them know if you can't attend.",
    "{name} told me they will {does} on {day}. Thanks to everyone who helped with {thing}.",
    "Small change of plan: {name} will now {does} on {day} instead of next week.",
    "As agreed, {name} will {does} on {day}. The draft of {thing} is in the shared folder.",
    "FYI, {thing} moves forward: {name} should {does} on {day}.",
    "Good news, {thing} is done! {name} will {does} on {day}.",
], (0.6, 0.2, 0.2))
NOTE_SHAPES["more"] = [  # validation's harder shapes, as the test's: another modal verb, the day first
    "Note: {thing} is on track, so {name} must {does} on {day}.",
    "On {day}, {name} ought to {does} now that {thing} is agreed.",
]
NAMES["more"], TASKS["more"] = NAMES["validation"], TASKS["validation"]
NOTE_SYSTEM = "Summarise the note in one sentence: who will do what, and on which day."


def _note(rng: random.Random, split: str) -> dict:
    name, (thing, does), day = rng.choice(NAMES[split]), rng.choice(TASKS[split]), rng.choice(DAYS)
    text = rng.choice(NOTE_SHAPES[split]).format(name=name, thing=thing, does=does, day=day)
    return {"messages": [{"role": "system", "content": NOTE_SYSTEM}, {"role": "user", "content": text[0].upper()
                                                                       + text[1:]},
                         {"role": "assistant", "content": f"{name} will {does} on {day}."}]}


TASK_MAKERS = {"orders": _order, "intents": _intent, "notes": _note}


def render(task: str) -> dict[str, str]:
    """File name → content of one task's three files."""
    rng = random.Random(f"{SEED}-{task}")
    rows = {split: [TASK_MAKERS[task](rng, split) for _ in range(n)] for split, n in SIZES[task].items()}
    rows["validation"] += [TASK_MAKERS[task](rng, "more") for _ in range(MORE_VALIDATION.get(task, 0))]
    return {f"{split}.jsonl": "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in split_rows)
            for split, split_rows in rows.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed files instead of writing them")
    args = parser.parse_args(argv)
    stale = []
    for task in TASK_MAKERS:
        for name, text in render(task).items():
            path = ROOT / task / name
            if args.check:
                if not path.is_file() or path.read_text(encoding="utf-8") != text:
                    stale.append(str(path))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run python -m bench.tasks.make_tasks): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
