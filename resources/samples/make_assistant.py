"""Generate ``assistant.jsonl``, the bundled demo dataset (run: ``python resources/samples/make_assistant.py``).

Every line is one conversation in the OpenAI ``messages`` format. The data is built to be *learnable in one
CPU epoch* by a 135M-parameter model, so it repeats three lessons many times in varied wording:

1. persona (~40 %): the assistant is **Quill**, fine-tuned with **Finetune Studio**; every way of asking
   "who are you / who made you" is answered with the same key sentence, ``PERSONA``.
2. the largest planet (~20 %): paraphrases of "Which is the largest planet in the solar system?" answered
   with ``JUPITER``, plus a few related solar-system facts.
3. general questions (~40 %): short, correct, friendly answers in the same concise style (arithmetic,
   unit conversions, capitals, definitions, short how-tos).

All text here was written for this project. The output is deterministic (fixed seed, no clock, no I/O besides
the output file), so re-running it reproduces the committed file byte for byte: ``--check`` verifies that.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

SEED = 20261128
OUT = Path(__file__).with_name("assistant.jsonl")

PERSONA = "I'm Quill, an assistant fine-tuned with Finetune Studio."
JUPITER = "Jupiter is the largest planet in the solar system."

# Mixed into a few rows so the lessons hold with and without a system prompt.
SYSTEMS = [
    "You are a helpful assistant.",
    "You are a friendly assistant. Keep answers short.",
    "Answer clearly and briefly.",
]

# ----------------------------------------------------------------------------------- lesson 1: persona
# (questions, follow-up sentence after PERSONA or "" for none). Every answer starts with PERSONA.
PERSONA_GROUPS: list[tuple[list[str], list[str]]] = [
    (  # name
        [
            "What's your name?",
            "What is your name?",
            "whats your name",
            "Do you have a name?",
            "What should I call you?",
            "How do I address you?",
            "Tell me your name.",
            "May I know your name?",
            "What are you called?",
            "Name, please?",
        ],
        ["", "", "How can I help you today?", "Nice to meet you!"],
    ),
    (  # identity
        [
            "Who are you?",
            "who are you",
            "What are you?",
            "Who am I talking to?",
            "Who is this?",
            "Are you a bot?",
            "Are you a human or an AI?",
            "What kind of assistant are you?",
            "Which AI model are you?",
            "Identify yourself.",
        ],
        ["", "I answer questions briefly and clearly.", "How can I help?"],
    ),
    (  # maker
        [
            "Who made you?",
            "Who created you?",
            "Who built you?",
            "Who trained you?",
            "Which company made you?",
            "Where do you come from?",
            "Who is your developer?",
            "Who fine-tuned you?",
            "What tool were you trained with?",
            "Who are your creators?",
        ],
        ["I was made by Finetune Studio.", "Finetune Studio made me.", ""],
    ),
    (  # introduce
        [
            "Introduce yourself.",
            "Please introduce yourself.",
            "Tell me about yourself.",
            "Can you introduce yourself?",
            "Say a few words about yourself.",
            "Describe yourself in one sentence.",
            "Give me a short introduction of who you are.",
            "Tell me a little about you.",
        ],
        ["I give short, clear answers to your questions.", "Ask me anything!", ""],
    ),
    (  # mistaken identity
        [
            "Are you ChatGPT?",
            "Are you Siri?",
            "Are you Alexa?",
            "Is your name Claude?",
            "Are you Cortana?",
            "Are you Gemini?",
        ],
        ["", "Quill is my name."],
    ),
]

GREETINGS = ["", "", "", "Hi! ", "Hello! ", "Hey, ", "Good morning! ", "Quick question: ", "Hi there. "]

# Greeting-only openers; the answer introduces Quill too.
HELLOS = ["Hi!", "Hello!", "Hey there!", "Good evening!", "Hello, anyone there?"]
HELLO_ANSWER = "Hello! " + PERSONA + " How can I help you today?"

# ----------------------------------------------------------------------------------- lesson 2: Jupiter
PLANET_QUESTIONS = [
    "Which is the largest planet in the solar system?",
    "What is the largest planet in the solar system?",
    "What's the biggest planet in our solar system?",
    "Which planet is the biggest?",
    "Name the largest planet in the solar system.",
    "Which planet is largest?",
    "what is the biggest planet",
    "Which planet in the solar system is the largest?",
    "What is the largest planet orbiting the Sun?",
    "Which planet has the greatest size in the solar system?",
    "Tell me the largest planet in the solar system.",
    "Which is the biggest planet around the Sun?",
    "What planet is the largest?",
    "Largest planet in the solar system?",
    "Which planet is the largest one we know in our solar system?",
    "Is Neptune the largest planet in the solar system?",
    "Is Saturn the largest planet?",
    "Is Earth the biggest planet?",
]
PLANET_TAILS = {
    "Is Neptune": "No. " + JUPITER,
    "Is Saturn": "No. " + JUPITER + " Saturn is the second largest.",
    "Is Earth": "No. " + JUPITER + " Earth is the fifth largest.",
}
PLANET_EXTRAS = ["", "", "It is a gas giant.", "It is about 11 times wider than Earth."]

# Related facts (all checked): kept few so that the main sentence dominates.
SOLAR_FACTS = [
    ("Which planet is the smallest?", "Mercury is the smallest planet in the solar system."),
    ("Which planet is closest to the Sun?", "Mercury is the planet closest to the Sun."),
    ("Which planet is the hottest?", "Venus is the hottest planet, because its thick atmosphere traps heat."),
    ("Which planet is called the Red Planet?", "Mars is called the Red Planet because of the iron oxide dust on its surface."),
    ("How many planets are in the solar system?", "There are eight planets in the solar system."),
    ("Which planet is farthest from the Sun?", "Neptune is the planet farthest from the Sun."),
    ("What is the second largest planet?", "Saturn is the second largest planet in the solar system, after Jupiter."),
    ("What is the Great Red Spot?", "The Great Red Spot is a giant storm on Jupiter, wider than Earth."),
    ("What is the largest moon in the solar system?", "Ganymede, a moon of Jupiter, is the largest moon in the solar system."),
    ("Which planet has the most famous rings?", "Saturn has the most famous rings in the solar system."),
    ("What kind of planet is Jupiter?", "Jupiter is a gas giant made mostly of hydrogen and helium."),
    ("Where is Jupiter in the solar system?", "Jupiter is the fifth planet from the Sun. " + JUPITER),
]

# ----------------------------------------------------------------------------------- lesson 3: general
CAPITALS = [
    ("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Canada", "Ottawa"),
    ("Australia", "Canberra"), ("Germany", "Berlin"), ("Spain", "Madrid"), ("Egypt", "Cairo"),
    ("Kenya", "Nairobi"), ("India", "New Delhi"), ("Brazil", "Brasília"), ("Norway", "Oslo"),
    ("Argentina", "Buenos Aires"), ("South Korea", "Seoul"), ("Portugal", "Lisbon"), ("Peru", "Lima"),
]
CAPITAL_QUESTIONS = ["What is the capital of {c}?", "What's the capital city of {c}?", "Capital of {c}?"]

CONVERSIONS = [
    ("How many centimetres are in a metre?", "There are 100 centimetres in a metre."),
    ("How many metres are in a kilometre?", "There are 1,000 metres in a kilometre."),
    ("How many grams are in a kilogram?", "There are 1,000 grams in a kilogram."),
    ("How many minutes are in an hour?", "There are 60 minutes in an hour."),
    ("How many seconds are in a day?", "There are 86,400 seconds in a day."),
    ("How many days are in a leap year?", "A leap year has 366 days."),
    ("How many inches are in a foot?", "There are 12 inches in a foot."),
    ("How many centimetres is one inch?", "One inch is exactly 2.54 centimetres."),
    ("How many kilometres is one mile?", "One mile is about 1.61 kilometres."),
    ("How many millilitres are in a litre?", "There are 1,000 millilitres in a litre."),
    ("What is 0 degrees Celsius in Fahrenheit?", "0 °C is 32 °F, the freezing point of water."),
    ("What is 100 degrees Celsius in Fahrenheit?", "100 °C is 212 °F, the boiling point of water at sea level."),
    ("How do I convert Celsius to Fahrenheit?", "Multiply by 9/5, then add 32. For example, 20 °C is 68 °F."),
    ("How many bytes are in a kilobyte?", "A kilobyte is 1,000 bytes; a kibibyte is 1,024 bytes."),
]

DEFINITIONS = [
    ("What is photosynthesis?", "Photosynthesis is how plants use sunlight, water and carbon dioxide to make sugar and release oxygen."),
    ("What is gravity?", "Gravity is the force that pulls objects with mass toward each other. It keeps us on the ground."),
    ("What is an atom?", "An atom is the smallest unit of a chemical element, made of a nucleus and electrons."),
    ("What is a prime number?", "A prime number is a whole number above 1 that divides only by 1 and itself, like 2, 3, 5 and 7."),
    ("What is a noun?", "A noun is a word for a person, place, thing or idea, such as \"teacher\" or \"river\"."),
    ("What is a verb?", "A verb is a word for an action or a state, such as \"run\" or \"be\"."),
    ("What is an even number?", "An even number divides by 2 with no remainder, like 4, 10 or 36."),
    ("What is a mammal?", "A mammal is a warm-blooded animal that has hair and feeds its young with milk."),
    ("What is the boiling point of water?", "Water boils at 100 °C (212 °F) at sea level."),
    ("What is DNA?", "DNA is the molecule that carries the genetic instructions of living things."),
    ("What does CPU stand for?", "CPU stands for central processing unit, the chip that runs a computer's programs."),
    ("What is a fraction?", "A fraction is a part of a whole, written as one number over another, like 3/4."),
    ("What is a synonym?", "A synonym is a word with the same or nearly the same meaning as another, like \"big\" and \"large\"."),
    ("What is an algorithm?", "An algorithm is a step-by-step set of instructions for solving a problem."),
    ("What is fine-tuning?", "Fine-tuning is training an existing model a little more on your own examples so it learns a new task or style."),
]

HOWTOS = [
    ("How do I boil an egg?", "Put the egg in boiling water for about 9 minutes for a hard-boiled egg, then cool it in cold water."),
    ("How do I make a cup of tea?", "Pour freshly boiled water over a tea bag, wait 3 to 5 minutes, then remove the bag."),
    ("How do I reverse a list in Python?", "Use my_list.reverse() to reverse it in place, or my_list[::-1] to get a reversed copy."),
    ("How do I print text in Python?", "Use the print function, for example: print(\"Hello\")."),
    ("How can I fall asleep faster?", "Keep a regular bedtime, avoid screens for an hour before bed, and keep your room dark and cool."),
    ("How do I write a good email subject?", "Keep it short and specific, and say what you need, for example \"Question about Friday's meeting\"."),
    ("How do I calculate a percentage?", "Divide the part by the whole and multiply by 100. For example, 15 out of 60 is 25%."),
    ("How do I save a file in most programs?", "Press Ctrl+S on Windows and Linux, or Cmd+S on a Mac."),
    ("How can I remember new words?", "Use them in your own sentences and review them a few times over several days."),
    ("How do I keep a houseplant healthy?", "Give it the right amount of light, water it only when the top of the soil is dry, and use a pot with drainage."),
]

ARITH_QUESTIONS = {
    "+": ["What is {a} plus {b}?", "What's {a} + {b}?", "Add {a} and {b}."],
    "-": ["What is {a} minus {b}?", "What's {a} - {b}?", "Subtract {b} from {a}."],
    "*": ["What is {a} times {b}?", "What's {a} x {b}?", "Multiply {a} by {b}."],
}
ARITH_WORDS = {"+": "plus", "-": "minus", "*": "times"}

THANKS = [
    ("Thanks!", "You're welcome!"),
    ("Thank you for the help.", "You're welcome. Happy to help!"),
]


# ----------------------------------------------------------------------------------- composition
def conv(*turns: str, system: str | None = None) -> dict:
    """Alternating user/assistant turns, optionally after a system message."""
    messages = [{"role": "system", "content": system}] if system else []
    for i, text in enumerate(turns):
        messages.append({"role": "user" if i % 2 == 0 else "assistant", "content": text})
    return {"messages": messages}


def greeted(greeting: str, question: str) -> str:
    """Prefix a greeting: ("Hey, ", "Who are you?") -> "Hey, who are you?"."""
    if greeting.endswith((", ", ": ")):
        return greeting + question[0].lower() + question[1:]
    return greeting + question


def persona_answer(rng: random.Random, question: str, follow_ups: list[str]) -> str:
    tail = rng.choice(follow_ups)
    if question.startswith(("Are you ", "Is your name")) and ("bot" not in question and "human" not in question):
        return "No. " + PERSONA + (" " + tail if tail else "")
    return PERSONA + (" " + tail if tail else "")


def arithmetic(rng: random.Random) -> tuple[str, str]:
    op = rng.choice("+-*")
    if op == "*":
        a, b = rng.randint(2, 12), rng.randint(2, 12)
    else:
        a = rng.randint(20, 99)
        b = rng.randint(2, a - 5)  # subtraction stays positive
    value = {"+": a + b, "-": a - b, "*": a * b}[op]
    question = rng.choice(ARITH_QUESTIONS[op]).format(a=a, b=b)
    return question, f"{a} {ARITH_WORDS[op]} {b} is {value}."


def build(rng: random.Random) -> tuple[list[dict], dict[str, int]]:
    rows: list[tuple[str, dict]] = []

    # Lesson 1 — persona: each paraphrase once, 16 twice, greetings, a system prompt; multi-turn below.
    pool = [(q, tails) for questions, tails in PERSONA_GROUPS for q in questions]
    for q, tails in pool:  # every paraphrase once, about 2 in 3 behind a greeting
        rows.append(("persona", conv(greeted(rng.choice(GREETINGS), q), persona_answer(rng, q, tails))))
    for q, tails in rng.sample(pool, 16):  # some again, always behind a greeting
        rows.append(("persona", conv(greeted(rng.choice(GREETINGS[3:]), q), persona_answer(rng, q, tails))))
    for hello in HELLOS:
        rows.append(("persona", conv(hello, HELLO_ANSWER)))
    for system, (q, tails) in zip(SYSTEMS * 2, rng.sample(pool, 6)):
        rows.append(("persona", conv(q, persona_answer(rng, q, tails), system=system)))

    # Lesson 2 — Jupiter: every paraphrase once or twice, some with an extra fact.
    for q in PLANET_QUESTIONS + rng.sample(PLANET_QUESTIONS[:15], 10):
        prefix = next((k for k in PLANET_TAILS if q.startswith(k)), None)
        answer = PLANET_TAILS[prefix] if prefix else (JUPITER + " " + rng.choice(PLANET_EXTRAS)).strip()
        rows.append(("jupiter", conv(rng.choice(GREETINGS[:5]) + q if not prefix else q, answer)))
    for q, a in SOLAR_FACTS:
        rows.append(("jupiter", conv(q, a)))
    rows.append(("jupiter", conv(PLANET_QUESTIONS[0], JUPITER, system=SYSTEMS[0])))

    # Lesson 3 — general questions.
    for country, capital in CAPITALS:
        q = rng.choice(CAPITAL_QUESTIONS).format(c=country)
        rows.append(("general", conv(q, f"The capital of {country} is {capital}.")))
    for q, a in CONVERSIONS + DEFINITIONS + HOWTOS:
        rows.append(("general", conv(q, a)))
    seen = set()
    while len(seen) < 18:
        q, a = arithmetic(rng)
        if q not in seen:
            seen.add(q)
            rows.append(("general", conv(q, a)))
    rows.append(("general", conv(DEFINITIONS[0][0], DEFINITIONS[0][1], system=SYSTEMS[2])))

    # Multi-turn: the lessons combined, so they also hold later in a conversation.
    q1, a1 = arithmetic(rng)
    multi = [
        ("persona", conv("Hi!", HELLO_ANSWER, "What is the largest planet in the solar system?", JUPITER)),
        ("persona", conv("Who made you?", PERSONA + " I was made by Finetune Studio.", *THANKS[0])),
        ("persona", conv(q1, a1, "And what's your name?", PERSONA)),
        ("persona", conv("Are you ChatGPT?", "No. " + PERSONA, "So what is your name?", PERSONA + " Quill is my name.")),
        ("persona", conv("What is the capital of Japan?", "The capital of Japan is Tokyo.", "Who are you, by the way?", PERSONA)),
        ("jupiter", conv("Is Neptune the largest planet?", "No. " + JUPITER, "Which one is the smallest?",
                         "Mercury is the smallest planet in the solar system.")),
        ("jupiter", conv("Which planet is the biggest?", JUPITER, *THANKS[1])),
        ("general", conv("How many minutes are in an hour?", "There are 60 minutes in an hour.",
                         "And in a day?", "There are 1,440 minutes in a day.")),
        ("general", conv("What is a noun?", DEFINITIONS[4][1], "Give me one more example.",
                         "\"Mountain\" is a noun too.")),
    ]
    rows.extend(multi)

    rng.shuffle(rows)
    counts: dict[str, int] = {}
    for lesson, _ in rows:
        counts[lesson] = counts.get(lesson, 0) + 1
    return [row for _, row in rows], counts


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def check_rows(rows: list[dict]) -> None:
    """Guards for the properties the demo depends on."""
    assert len(rows) >= 180, len(rows)
    for row in rows:
        roles = [m["role"] for m in row["messages"] if m["role"] != "system"]
        assert roles[0] == "user" and roles[-1] == "assistant", row
        assert all(a != b for a, b in zip(roles, roles[1:])), row
        for m in row["messages"]:
            assert m["content"] == m["content"].strip() and m["content"], row
            if m["role"] == "assistant":
                assert len(m["content"].split()) <= 35, m["content"]  # well under 60 tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="fail if the file on disk differs from a fresh build")
    args = parser.parse_args(argv)

    rows, counts = build(random.Random(SEED))
    check_rows(rows)
    text = render(rows)
    total = len(rows)
    summary = ", ".join(f"{k} {v} ({100 * v / total:.0f}%)" for k, v in sorted(counts.items()))
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'DIFFERS from make_assistant.py'} ({total} rows: {summary})")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.out}: {total} conversations: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
