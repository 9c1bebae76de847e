"""Generate the recipes' sample data (run: ``python resources/samples/make_recipe_data.py``; ``--check``: exit 1 when
a committed file is out of date). Issue #21.

One function per dataset. Every dataset has training rows and held-out test rows that are never trained on: the
test rows are built from parts the training rows do not use (other products, people, places, phrasings), and the
script asserts that no test text occurs in training. All text is written for this project; the output is
deterministic (fixed seeds, no clock). Sizes are picked so that the demo model (SmolLM2-135M) visibly learns each
task in a few CPU minutes: the lessons repeat in consistent wording, as in ``make_assistant.py``.

  sentiment.jsonl / sentiment_test.jsonl              {text, label} reviews, label positive|negative (cls)
  sentiment_chat.jsonl / sentiment_chat_test.jsonl    the same reviews as {prompt, completion} (sft, label as text)
  persona.jsonl / persona_test.jsonl                  conversations with "Pip", Lumen Lamps' help-desk assistant
  summaries.jsonl / summaries_test.jsonl              {prompt: "Summarise ...", completion: one sentence}
  tallow/docs/*.md, tallow/docs_test/*.md             documents about the (made-up) Tallow weather station (pt)
  tallow_qa.jsonl / tallow_qa_test.jsonl              questions and answers about it (the sft run after pt)
  preferences.jsonl / preferences_test.jsonl          {prompt, chosen, rejected}: an answer with its reason is
                                                      preferred over a bare one (dpo)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20261205

# ------------------------------------------------------------------------------------------------ sentiment
THINGS_TRAIN = ["film", "hotel", "blender", "novel", "restaurant", "headphones", "concert", "backpack", "museum",
                "coffee", "laptop", "tour", "phone case", "sofa", "game"]
THINGS_TEST = ["theatre show", "kettle", "podcast", "bike", "bakery", "camera"]
GOOD = ["was wonderful", "worked perfectly", "exceeded my expectations", "was a delight", "made my day",
        "was worth every penny", "was brilliant from start to finish", "felt great", "was excellent",
        "is the best I have had", "was really enjoyable", "was friendly and fast"]
BAD = ["was a waste of money", "broke after a week", "was a huge letdown", "was boring", "felt cheap",
       "was awful", "is the worst I have had", "disappointed me", "was rude and slow", "stopped working",
       "was dull from start to finish", "was not worth the price"]
GOOD_TAILS = ["I would recommend it.", "I will come back.", "Five stars.", "Highly recommended!", "Loved it.", ""]
BAD_TAILS = ["I would not recommend it.", "Never again.", "One star.", "Avoid it.", "I want a refund.", ""]
OPENERS = ["The {t} {p}.", "Honestly, the {t} {p}.", "I think the {t} {p}.", "Our {t} {p}.", "This {t} {p}."]
SENTIMENT_QUESTION = "Is this review positive or negative?"


def reviews(things: list[str], goods: list[str], bads: list[str], rng: random.Random, n: int) -> list[dict]:
    rows, seen = [], set()
    while len(rows) < n:
        label = "positive" if len(rows) % 2 == 0 else "negative"
        phrase, tail = (rng.choice(goods), rng.choice(GOOD_TAILS)) if label == "positive" else \
            (rng.choice(bads), rng.choice(BAD_TAILS))
        text = (rng.choice(OPENERS).format(t=rng.choice(things), p=phrase) + " " + tail).strip()
        if text not in seen:
            seen.add(text)
            rows.append({"text": text, "label": label})
    rng.shuffle(rows)
    return rows


def sentiment(rng: random.Random) -> dict[str, list[dict]]:
    # test reviews: other things, and a third of the phrases are kept for them alone
    train = reviews(THINGS_TRAIN, GOOD[:8], BAD[:8], rng, 240)
    test = reviews(THINGS_TEST, GOOD[6:], BAD[6:], rng, 60)
    chat = [{"prompt": f"Review: {r['text']}\n{SENTIMENT_QUESTION}", "completion": r["label"]}
            for r in train]
    chat_test = [{"prompt": f"Review: {r['text']}\n{SENTIMENT_QUESTION}", "completion": r["label"]} for r in test]
    return {"sentiment.jsonl": train, "sentiment_test.jsonl": test, "sentiment_chat.jsonl": chat,
            "sentiment_chat_test.jsonl": chat_test}


# ------------------------------------------------------------------------------------------------ persona
PIP = "I'm Pip, the Lumen Lamps help desk assistant."
WHO_TRAIN = ["Who are you?", "What's your name?", "What is your name?", "Who am I talking to?", "Are you a bot?",
             "Introduce yourself.", "Tell me about yourself.", "What should I call you?", "Who made you?",
             "Are you ChatGPT?", "Who is this?", "Do you have a name?", "What are you?", "Who do you work for?",
             "Are you a real person?", "Can you introduce yourself?"]
WHO_TEST = ["May I ask who you are?", "Hello, who is on the line?", "What do people call you?",
            "Which assistant is this?", "Are you Siri?", "Tell me your name, please.", "Who am I chatting with?",
            "Say who you are."]
GREET = ["", "", "Hi! ", "Hello! ", "Hey, ", "Good morning! "]
LAMP_TRAIN = [  # (question, a second wording of it, Pip's answer): each fact is taught in two wordings
    ("How do I change the bulb in my desk lamp?", "How can I replace a desk lamp bulb?",
     "Unplug the lamp, let the bulb cool, then twist it out and the new one in."),
    ("My lamp flickers. What should I do?", "Why is my lamp flickering?",
     "Check that the bulb is screwed in tightly and the plug is firmly in the socket."),
    ("Which bulb does the Aura floor lamp take?", "What bulb goes in the Aura?",
     "The Aura floor lamp takes an E27 LED bulb of up to 12 watts."),
    ("Can I dim the Nova lamp?", "Is the Nova lamp dimmable?",
     "Yes, the Nova lamp dims: hold its touch button to change the brightness."),
    ("How long is the warranty?", "Do your lamps come with a warranty?",
     "Every Lumen Lamps product has a two-year warranty."),
    ("How do I return a lamp?", "Can I send a lamp back?",
     "Pack it in its box and request a return label from your Lumen Lamps order page."),
    ("Is the Orbit lamp waterproof?", "Can the Orbit lamp get wet?",
     "The Orbit lamp is splash-proof, so it is fine in a bathroom but not in water."),
    ("My lamp does not turn on.", "My lamp stays dark. Help?",
     "Try another socket and a new bulb; if it still stays dark, contact our repairs team."),
    ("How do I clean a lampshade?", "How should I dust my lampshade?",
     "Dust it with a soft, dry brush; never use water on a fabric shade."),
    ("Does the Nova lamp have a timer?", "Can the Nova lamp switch itself off?",
     "Yes, a double tap on the Nova lamp turns it off after 30 minutes."),
    ("What colour temperature is the Aura bulb?", "How warm is the light of the Aura?",
     "The Aura bulb gives a warm white light of 2700 kelvin."),
    ("Can I order spare parts?", "Do you sell spare parts?",
     "Yes, spare shades, bases and cables are on the Lumen Lamps parts page."),
]
# Held-out lamp questions: a new wording of a fact the training teaches (its LAMP_TRAIN index), and the key words
# a right answer contains. A few-shot prompt can copy "I'm Pip" but not these facts.
LAMP_TEST = [
    ("What's the first step to swap the bulb in a desk lamp?", 0, ["unplug"]),
    ("The light of my lamp keeps flickering. Any tips?", 1, ["screwed in"]),
    ("Which bulb fits the Aura floor lamp?", 2, ["E27"]),
    ("Can the Nova be dimmed?", 3, ["touch"]),
    ("What's the warranty period?", 4, ["two-year"]),
    ("I want to return my lamp. How?", 5, ["return label"]),
    ("May I put the Orbit lamp in my bathroom?", 6, ["splash"]),
    ("My lamp won't switch on at all.", 7, ["repairs"]),
    ("How do I clean a fabric shade?", 8, ["brush"]),
    ("Does the Nova turn itself off after a while?", 9, ["30 minutes"]),
    ("What colour temperature does the Aura give?", 10, ["2700"]),
    ("Where do I find spare parts?", 11, ["parts page"]),
]


def persona(rng: random.Random) -> dict[str, list[dict]]:
    def chat(question: str, answer: str, facts: list[str] | None = None) -> dict:
        row = {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}
        return row if facts is None else {**row, "facts": facts}  # held-out rows: the key facts the answer needs

    rows = []
    for question in WHO_TRAIN:
        for greeting in rng.sample(GREET, 3):
            q = greeting + (question[0].lower() + question[1:] if greeting.endswith(", ") else question)
            rows.append(chat(q, PIP + rng.choice(["", " How can I help?", " Ask me about your lamp."])))
    for question, other, answer in LAMP_TRAIN:  # lamp questions: Pip answers, and says who is answering
        for wording in (question, other):
            rows.append(chat(wording, f"Pip here. {answer}"))
            rows.append(chat(rng.choice(GREET[2:]) + wording, f"{PIP} {answer}"))
    unique = list({json.dumps(r): r for r in rows}.values())
    rng.shuffle(unique)
    test = [chat(g + q, PIP, []) for q, g in zip(WHO_TEST, GREET * 2, strict=False)]
    test += [chat(q, f"{PIP} {LAMP_TRAIN[i][2]}", facts) for q, i, facts in LAMP_TEST]
    taught = " ".join(answer for _, _, answer in LAMP_TRAIN).lower()
    missing = [f for _, _, facts in LAMP_TEST for f in facts if f.lower() not in taught]
    assert not missing, f"persona: held-out facts the training never states: {missing}"
    return {"persona.jsonl": unique, "persona_test.jsonl": test}


# ------------------------------------------------------------------------------------------------ summaries
PEOPLE_TRAIN = ["Mara Olsen", "Tom Reyes", "Aiko Tanaka", "Lena Fischer", "Omar Haddad", "Sara Lind", "Ivan Petrov",
                "Nina Costa", "Paul Becker", "Ruth Adler", "Kofi Mensah", "Ella Moreau"]
PEOPLE_TEST = ["Jonas Berg", "Priya Nair", "Luca Romano", "Hana Kim"]
PLACES_TRAIN = ["Bergen", "Porto", "Leeds", "Lyon", "Graz", "Turku", "Cork", "Malmo", "Ghent", "Bilbao"]
PLACES_TEST = ["Aarhus", "Split", "Brno"]
EVENTS = [  # (what happened, its detail, what the person said)
    ("opened a bakery", "It sells rye bread and cinnamon buns.", "it was a dream come true"),
    ("won the city chess final", "The final game lasted four hours.", "the last move was a gamble"),
    ("planted a community garden", "Neighbours grow beans and tomatoes there.", "everyone is welcome to help"),
    ("ran a charity marathon", "The run raised money for the local hospital.", "the crowd kept them going"),
    ("repaired the old town clock", "The clock had been silent for ten years.", "the gears were rusted solid"),
    ("launched a free bike repair day", "Volunteers fixed more than fifty bikes.", "they will run it again"),
    ("published a cookbook", "The book collects recipes from local grandmothers.", "writing it took two years"),
    ("rescued a stranded kitten", "The kitten was stuck on a roof for a day.", "it is doing well now"),
    ("opened a small library", "It lends books, tools and board games.", "people return almost everything"),
    ("painted a large mural", "The mural shows the harbour at sunset.", "it took forty litres of paint"),
]
DAYS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "last weekend"]
SUMMARY_PROMPTS_TRAIN = ["Summarise this article in one sentence.", "Write a one-sentence summary of the article."]
SUMMARY_PROMPT_TEST = "Give a one-sentence summary."


def article(person: str, place: str, event: tuple[str, str, str], day: str) -> str:
    what, detail, quote = event
    first = person.split()[0]
    return (f"{person}, who lives in {place}, {what} {day}. {detail} Local people came to see it. "
            f"\"I am so happy,\" {first} said, adding that {quote}.")


def summaries(rng: random.Random) -> dict[str, list[dict]]:
    def row(person: str, place: str, event: tuple, day: str, instruction: str) -> dict:
        return {"prompt": f"{instruction}\n\n{article(person, place, event, day)}",
                "completion": f"{person} {event[0]} in {place} {day}."}

    combos = [(p, c, e) for p in PEOPLE_TRAIN for c in PLACES_TRAIN for e in EVENTS]
    train = [row(p, c, e, rng.choice(DAYS), rng.choice(SUMMARY_PROMPTS_TRAIN)) for p, c, e in rng.sample(combos, 200)]
    test_combos = [(p, c, e) for p in PEOPLE_TEST for c in PLACES_TEST for e in EVENTS]
    test = [row(p, c, e, rng.choice(DAYS), SUMMARY_PROMPT_TEST) for p, c, e in rng.sample(test_combos, 40)]
    return {"summaries.jsonl": train, "summaries_test.jsonl": test}


# ------------------------------------------------------------------------------------------------ domain: Tallow
# A made-up product, so that the base model cannot know it: what continued pre-training teaches.
CODES = {
    "E1": "the battery is low", "E2": "the rain gauge is blocked", "E3": "the wind vane is stuck",
    "E4": "the wind sensor is disconnected", "E5": "the temperature probe is out of range",
    "E6": "the solar panel gives no charge", "E7": "the radio link to the console is lost",
    "E8": "the memory card is full", "E9": "the firmware update failed",
}
FIXES = {
    "E1": "replace the two AA batteries", "E2": "clear the funnel of leaves", "E3": "free the vane and oil its pin",
    "E4": "reconnect the grey sensor cable", "E5": "move the probe out of direct sun",
    "E6": "wipe the solar panel clean", "E7": "move the console closer to the station",
    "E8": "copy the logs off and format the card", "E9": "hold the reset button for ten seconds",
}
FACTS = [  # (question, answer) pairs the documents also state
    ("Who makes the Tallow weather station?", "The Tallow weather station is made by Brindle Instruments."),
    ("How often does the Tallow station send readings?", "The Tallow station sends a reading every 48 seconds."),
    ("How far can the Tallow console be from the station?", "The console works up to 120 metres from the station."),
    ("What batteries does the Tallow station use?", "The Tallow station uses two AA batteries."),
    ("How long do the Tallow batteries last?", "The batteries last about fourteen months."),
    ("What is the Tallow station's housing made of?", "The housing is made of white recycled polymer."),
]
DOC_FORMS = [
    "Tallow support note. Error {c} on the Tallow weather station means {m}. To clear it, {f}. The Tallow station, "
    "made by Brindle Instruments, shows the code on its console until the fault is fixed.",
    "Brindle Instruments field guide, Tallow station, code {c}. When the console shows {c}, {m}. The usual fix: "
    "{f}. After the fix the Tallow station sends a reading every 48 seconds again.",
    "From the Tallow manual. If you see {c}, {m}. Technicians {f}, then wait for the next reading. Readings reach "
    "the console, which works up to 120 metres from the station.",
]
DOC_FORM_TEST = ("Tallow troubleshooting, code {c}. A Tallow weather station that reports {c} is telling you that {m}. "
                 "Brindle Instruments advises that you {f}.")
FACT_DOCS = [
    "About the Tallow weather station. The Tallow weather station is made by Brindle Instruments. It measures wind, "
    "rain and temperature and sends a reading every 48 seconds. The console works up to 120 metres from the "
    "station.",
    "Tallow power guide. The Tallow station uses two AA batteries, which last about fourteen months, and a small "
    "solar panel keeps them topped up. When the battery is low, the console shows E1.",
    "Tallow build notes. The housing of the Tallow station is made of white recycled polymer, and Brindle "
    "Instruments tests every unit in rain for a day before it ships.",
]


def tallow(rng: random.Random) -> dict[str, object]:
    codes = sorted(CODES)
    test_codes = {"E3", "E7"}  # one document about each of these two codes is held out of pre-training
    docs, docs_test = [], []
    for code in codes:
        for form in DOC_FORMS:
            text = form.format(c=code, m=CODES[code], f=FIXES[code])
            (docs_test if code in test_codes and form is DOC_FORMS[0] else docs).append(text)
        docs_test.append(DOC_FORM_TEST.format(c=code, m=CODES[code], f=FIXES[code]))  # a wording never trained on
    docs += FACT_DOCS  # the general facts: they carry the answers the sft questions ask about
    rng.shuffle(docs)

    def qa(question: str, answer: str) -> dict:
        return {"prompt": question, "completion": answer}

    # sft: questions about half the codes and the facts; held out: the other codes (their meaning is in the
    # pre-training documents only) and the facts asked another way
    train_codes = {"E1", "E2", "E4", "E6", "E8"}
    qa_train = []
    for code in codes:
        if code in train_codes:
            for ask in ("What does error {c} mean on the Tallow station?", "My Tallow console shows {c}. Why?",
                        "Tallow error {c}: what is wrong?"):
                qa_train.append(qa(ask.format(c=code), f"Error {code} means {CODES[code]}."))
    for question, answer in FACTS:
        qa_train += [qa(question, answer), qa("Quick question: " + question[0].lower() + question[1:], answer)]
    rng.shuffle(qa_train)
    qa_test = [qa(f"What is the meaning of code {code} on a Tallow weather station?",
                  f"Error {code} means {CODES[code]}.") for code in codes if code not in train_codes]
    qa_test += [qa("Tell me: " + q[0].lower() + q[1:], a) for q, a in FACTS]
    return {"tallow/docs": docs, "tallow/docs_test": docs_test, "tallow_qa.jsonl": qa_train,
            "tallow_qa_test.jsonl": qa_test}


# ------------------------------------------------------------------------------------------------ preferences
# The preferred answer gives its reason; the rejected one the same yes or no with a non-reason ("Trust me on
# this."). A base model rates the rejected answer more likely (it is shorter and generic), so DPO has something to
# change; the held-out pairs' non-reasons are worded as no training pair words them.
PREF_TRAIN = [
    ("Should I water my cactus every day?", "No.", "No. A cactus stores water, so water it only when the soil is "
     "completely dry."),
    ("Is it safe to look at the Sun?", "No.", "No. Looking at the Sun can burn your retina and damage your sight."),
    ("Should I back up my files?", "Yes.", "Yes. A backup lets you recover your files if your disk fails."),
    ("Can I put metal in a microwave?", "No.", "No. Metal can spark in a microwave and start a fire."),
    ("Is 17 a prime number?", "Yes.", "Yes. 17 has no divisors other than 1 and itself."),
    ("Should I stretch before running?", "Yes.", "Yes. A short warm-up loosens your muscles and lowers the risk of "
     "injury."),
    ("Is water a good conductor of heat?", "No.", "No. Water conducts heat poorly compared with metals, which is "
     "why it warms slowly."),
    ("Should I charge my phone overnight?", "It is fine.", "It is fine. Modern phones stop charging when the "
     "battery is full."),
    ("Can dogs eat chocolate?", "No.", "No. Chocolate contains theobromine, which is poisonous to dogs."),
    ("Is the Moon a planet?", "No.", "No. The Moon is a natural satellite, because it orbits Earth, not the Sun."),
    ("Should I use a strong password?", "Yes.", "Yes. A strong password is much harder for attackers to guess."),
    ("Do plants need light?", "Yes.", "Yes. Plants use light to make their food by photosynthesis."),
    ("Is ice lighter than water?", "Yes.", "Yes. Ice is less dense than water, which is why it floats."),
    ("Should I wash my hands before cooking?", "Yes.", "Yes. Washing removes germs that could get into the food."),
    ("Can I mix bleach with vinegar?", "No.", "No. Together they release chlorine gas, which is toxic."),
    ("Is a tomato a fruit?", "Yes.", "Yes. A tomato grows from the flower and holds seeds, so botanists call it a "
     "fruit."),
    ("Should I turn off lights I do not use?", "Yes.", "Yes. It saves electricity and lowers your bill."),
    ("Do whales breathe air?", "Yes.", "Yes. Whales are mammals, so they surface to breathe through their "
     "blowholes."),
    ("Is sound faster than light?", "No.", "No. Light travels about a million times faster than sound."),
    ("Should I read the manual first?", "Yes.", "Yes. The manual explains the safe way to set up and use the "
     "device."),
    ("Is it good to sleep eight hours?", "Yes.", "Yes. Most adults need seven to nine hours of sleep to feel "
     "rested."),
    ("Can I leave a candle burning when I go out?", "No.", "No. An unattended candle can set things alight."),
    ("Is Mercury the closest planet to the Sun?", "Yes.", "Yes. Mercury orbits closer to the Sun than any other "
     "planet."),
    ("Should I update my software?", "Yes.", "Yes. Updates fix security holes that attackers could use."),
]
PREF_TEST = [
    ("Should I drink water when I exercise?", "Yes.", "Yes. You lose water through sweat, so drinking replaces "
     "it."),
    ("Can I swim right after a thunderstorm starts?", "No.", "No. Water conducts electricity, so lightning is a "
     "danger to swimmers."),
    ("Is the Earth round?", "Yes.", "Yes. Photos from space and ships vanishing over the horizon both show it."),
    ("Should I keep medicine away from children?", "Yes.", "Yes. Children can mistake pills for sweets and be "
     "poisoned."),
    ("Is glass a good insulator?", "Yes.", "Yes. Glass does not let electricity flow through it easily."),
    ("Can I use a phone while driving?", "No.", "No. It takes your attention off the road and causes crashes."),
    ("Do bees make honey?", "Yes.", "Yes. Bees turn flower nectar into honey to feed their colony."),
    ("Should I store bread in the fridge?", "No.", "No. The cold makes bread go stale faster than at room "
     "temperature."),
    ("Is a spider an insect?", "No.", "No. A spider has eight legs, and insects have six."),
    ("Should I wear sunscreen on cloudy days?", "Yes.", "Yes. Ultraviolet light passes through clouds and can "
     "still burn your skin."),
    ("Is gold magnetic?", "No.", "No. Gold is not attracted to magnets, because of how its electrons pair up."),
    ("Can I freeze milk?", "Yes.", "Yes. Milk keeps for months frozen, though it may separate when thawed."),
]
ASK = ["", "Quick question: ", "Tell me: ", "I wonder: "]
NON_REASONS_TRAIN = ["Trust me on this.", "That is just how it is.", "Everyone knows that.", "Do not ask why.",
                     "It is obvious.", "Because I said so."]
NON_REASONS_TEST = ["Just believe me.", "No need to explain.", "That is simply the way it is."]


def preferences(rng: random.Random) -> dict[str, list[dict]]:
    def pair(prefix: str, question: str, bare: str, reasoned: str, non_reasons: list[str]) -> dict:
        q = prefix + (question[0].lower() + question[1:] if prefix else question)
        return {"prompt": q, "chosen": reasoned, "rejected": f"{bare} {rng.choice(non_reasons)}"}

    train = [pair(p, *row, NON_REASONS_TRAIN) for row in PREF_TRAIN for p in rng.sample(ASK, 3)]
    rng.shuffle(train)
    test = [pair("", *row, NON_REASONS_TEST) for row in PREF_TEST]
    return {"preferences.jsonl": train, "preferences_test.jsonl": test}


# ------------------------------------------------------------------------------------------------ output
BUILDERS = (sentiment, persona, summaries, tallow, preferences)


def outputs() -> dict[Path, str]:
    """Every file this script writes, by path, with its text."""
    out: dict[Path, str] = {}
    for build in BUILDERS:
        for name, rows in build(random.Random(f"{SEED}-{build.__name__}")).items():
            if name.endswith(".jsonl"):
                out[HERE / name] = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            else:  # a folder of documents, one file each
                out.update({HERE / name / f"doc_{i:03d}.md": text + "\n" for i, text in enumerate(rows, 1)})
    return out


def check_held_out(files: dict[Path, str]) -> None:
    """No held-out row's text occurs in its training file (the test rows are never trained on)."""
    for path, text in files.items():
        if "_test" not in path.name and "docs_test" not in str(path):
            continue
        train_path = path.with_name(path.name.replace("_test", "")) if path.suffix == ".jsonl" else None
        train = files[train_path] if train_path else "".join(t for p, t in files.items() if p.parent.name == "docs")
        lines = text.splitlines() if path.suffix == ".jsonl" else [text.strip()]
        if train_path:  # a row as training would write it (the held-out rows' key facts left out)
            lines = [json.dumps({k: v for k, v in json.loads(line).items() if k != "facts"}, ensure_ascii=False)
                     for line in lines]
        leaked = [line for line in lines if line and line in train]
        assert not leaked, f"{path.name}: {len(leaked)} held-out rows also in training, e.g. {leaked[0][:80]}"
        if train_path:  # nor is a held-out question asked in training, in any conversation
            asked = {m["content"] for line in train.splitlines() for m in json.loads(line).get("messages", [])
                     if m["role"] == "user"}
            reused = [m["content"] for line in lines for m in json.loads(line).get("messages", [])
                      if m["role"] == "user" and m["content"] in asked]
            assert not reused, f"{path.name}: held-out questions asked in training too: {reused}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file is out of date")
    args = parser.parse_args(argv)
    files = outputs()
    check_held_out(files)
    stale = [p for p, text in files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(HERE)}", file=sys.stderr)
        return 1 if stale else 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for path in sorted(files):
        if path.suffix == ".jsonl":
            print(f"{path.relative_to(HERE)}: {files[path].count(chr(10))} rows")
    for folder in ("tallow/docs", "tallow/docs_test"):
        print(f"{folder}/: {sum(1 for p in files if p.parent == HERE / folder)} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
