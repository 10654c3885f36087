"""The automatic marker: what a learner's written answer earns, and what it must not.

Small questions of the tests' own pin each rule (negation, misspellings, keyword lists, reasons,
judgements, quotes); the last tests mark every labelled answer under tests/data/marking/ and every
model answer of the shipped bank, and hold the marker to its published figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.marking import STUFFED, TARGETS, check_labels, evaluate, exam_questions, load_answers
from bot.config import CONTENT_DIR
from bot.tutor.marking import QUOTE_LIMIT, Marking, mark
from bot.tutor.wording import split_sentences, stem, tokens
from content.loader import load_bank
from content.phrasing import parse
from content.schema import ExamQuestion


def question(
    command: str, points: list[dict[str, Any]], text: str = "Explain how CRM helps."
) -> ExamQuestion:
    """An exam question of the tests' own."""
    return ExamQuestion.model_validate(
        {
            "id": "exam-test-question",
            "kind": "exam",
            "area": "crm",
            "outcome": "crm",
            "bodies": ["icq"],
            "sources": ["000"],
            "command": command,
            "question": text,
            "explanation": "What examiners look for.",
            "model_answer": "A model answer.",
            "points": points,
        }
    )


CRM = question(
    "explain",
    [
        {
            "id": "record",
            "text": "CRM keeps each customer's history in one place",
            "phrasings": ["store*|record*|keep*|hold* + customer* + history|details|data|purchase*"],
        },
        {
            "id": "personalise",
            "text": "Staff personalise the service",
            "phrasings": ["personalis*|tailor* + service|offer*|message*"],
        },
        {
            "id": "churn",
            "text": "Personal service reduces churn, because customers feel valued",
            "needs": "reason",
            "phrasings": ["reduc*|lower*|cut* + churn", "retain*|retention + improv*|rais*|increas*"],
        },
        {
            "id": "strategy",
            "text": "CRM is a strategy, not just software",
            "phrasings": ["not just|not only|more than + software|system + strategy|approach"],
        },
    ],
    text="Explain how a CRM system helps a business keep its customers.",
)

METHODS = question(
    "evaluate",
    [
        {
            "id": "survey-strength",
            "text": "Surveys reach many customers cheaply",
            "phrasings": ["survey* + many|lots of|large + customer*|people|responses"],
        },
        {
            "id": "focus-strength",
            "text": "Focus groups explain why customers feel as they do",
            "phrasings": ["focus group* + why|reason*|in depth|detail*"],
        },
        {
            "id": "judgement",
            "text": "Judges which method suits the business better",
            "needs": "judgement",
            "phrasings": ["survey*|focus group* + suit*|better|best|recommend*|more useful"],
        },
    ],
    text="Evaluate surveys and focus groups as ways of measuring satisfaction.",
)


WORDS = [
    "crm",
    "stores",
    "customer",
    "purchase",
    "history",
    "staff",
    "tailor",
    "personalise",
    "offers",
    "not",
    "reduces",
    "churn",
    "because",
]


def earned(marking: Marking) -> set[str]:
    """The ids of the points earned."""
    return {point.point_id for point in marking.points if point.earned}


# --- matching ----------------------------------------------------------------------------------


def test_a_sound_answer_earns_each_point_it_makes_and_only_those() -> None:
    marking = mark(
        CRM, "A CRM system stores each customer's purchase history. Staff then tailor offers to them."
    )
    assert earned(marking) == {"record", "personalise"}
    assert marking.earned == 2
    assert [point.point_id for point in marking.points] == ["record", "personalise", "churn", "strategy"]


def test_spelling_variants_plurals_and_tenses_are_the_same_word() -> None:
    answer = "The system recorded customers' purchases, and staff personalized the service they gave."
    assert earned(mark(CRM, answer)) == {"record", "personalise"}
    assert stem("personalised") == stem("personalized") == stem("personalises")
    assert stem("stores") == stem("stored") == stem("storing") == stem("store")


# --- negation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "Personalised offers do not reduce churn because customers ignore them.",
        "Personal service doesn't reduce churn, because customers don't care.",
        "Personal service never lowers churn, because price is all that matters.",
        "CRM fails to reduce churn because nobody uses it.",
        "It hardly ever cuts churn, because customers leave anyway.",
        "There is no reduction in churn because staff ignore the data.",
    ],
)
def test_a_negated_idea_earns_nothing(answer: str) -> None:
    marking = mark(CRM, answer)
    assert "churn" not in earned(marking)
    assert marking.points[2].why_not == "negated"


def test_a_negation_in_one_clause_leaves_the_next_clause_alone() -> None:
    answer = "Customers do not have to repeat themselves, so personal service reduces churn."
    assert "churn" in earned(mark(CRM, answer))


def test_a_negation_the_phrasing_itself_says_is_the_point() -> None:
    assert "strategy" in earned(mark(CRM, "CRM is not just software, it is a whole business strategy."))
    assert "strategy" in earned(mark(CRM, "CRM is not only a system but a strategy."))


def test_a_negated_opposite_says_the_word() -> None:
    stay = question(
        "explain",
        [
            {"id": "stay", "text": "Follow-ups keep customers", "phrasings": ["follow up + stay*|keep*"]},
            {
                "id": "price",
                "text": "Customers leave for price",
                "phrasings": ["leav*|switch* + price|cheaper"],
            },
        ],
    )
    assert earned(mark(stay, "We follow them up personally so they don't leave.")) == {"stay"}
    assert earned(mark(stay, "Loyal customers never leave for a cheaper price.")) == set()
    assert tokens("customers are not happy") == ["customers", "are", "unhappy", "not"]


def test_working_written_with_signs_reads_as_words() -> None:
    assert tokens("55% - 20% = 35") == ["55", "minus", "20", "equals", "35"]


def test_a_subject_denied_by_its_verb_earns_nothing() -> None:
    answer = "Personalised offers and tailored messages do not help, because people ignore them."
    assert "personalise" not in earned(mark(CRM, answer))


# --- misspellings ------------------------------------------------------------------------------


def test_misspellings_of_longer_words_are_forgiven() -> None:
    answer = "The CRM recrods every custmer's purchse histroy. Staff personlise offers to each one."
    assert earned(mark(CRM, answer)) == {"record", "personalise"}


def test_a_real_word_is_never_taken_for_a_misspelling_of_another() -> None:
    retention = question(
        "explain",
        [
            {
                "id": "retain",
                "text": "Keeping customers raises retention",
                "phrasings": ["retention|retain* + rise*|rais*|improv*"],
            },
            {"id": "other", "text": "Another point", "phrasings": ["unrelated + words"]},
        ],
    )
    assert earned(mark(retention, "Good service raises retention and profit.")) == {"retain"}
    assert earned(mark(retention, "Good service raises attention and profit.")) == set()
    assert earned(mark(retention, "Good service raises detention and profit.")) == set()
    assert earned(mark(retention, "Staff remain positive, which improves morale.")) == set()


def test_short_words_need_their_exact_spelling() -> None:
    cost = question(
        "explain",
        [
            {"id": "cost", "text": "Retention costs less", "phrasings": ["cost* + less|lower"]},
            {"id": "other", "text": "Another point", "phrasings": ["unrelated + words"]},
        ],
    )
    assert earned(mark(cost, "Keeping customers costs less than finding new ones.")) == {"cost"}
    assert earned(mark(cost, "Keeping customers cast less of a shadow.")) == set()


# --- keyword lists and stuffing ----------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "CRM, customer history, personalise offers, tailored service, reduce churn, strategy",
        "crm store customer data personalise offers reduce churn strategy not just software",
        "- customer history\n- personalised offers\n- churn reduced\n- strategy not software",
        "CRM stores customer data and personalised offers and tailored messages and reduced churn "
        "and strategy and not just software and retention and loyalty.",
        "The answer is about CRM, customer data, purchase history, personalised offers, tailored "
        "messages, reduced churn, strategy, software, loyalty, NPS and CSAT.",
    ],
)
def test_a_list_of_keywords_earns_at_most_one_point(answer: str) -> None:
    marking = mark(CRM, answer)
    assert marking.earned <= 1


def test_a_bare_comma_list_earns_nothing_and_is_flagged() -> None:
    marking = mark(CRM, "customer history, personalised offers, reduced churn, strategy, software")
    assert marking.earned == 0
    assert marking.stuffed


def test_echoing_the_question_earns_nothing() -> None:
    echo = question(
        "explain",
        [
            {
                "id": "helps",
                "text": "CRM helps staff recognise customers",
                "phrasings": ["crm + help* + keep*|recognis*|remember*"],
            },
            {"id": "other", "text": "Another point", "phrasings": ["unrelated + words"]},
        ],
        text="Explain how a CRM system helps a business keep its customers.",
    )
    assert earned(mark(echo, "A CRM system helps a business keep its customers.")) == set()
    assert earned(mark(echo, "CRM helps staff remember customers' birthdays.")) == {"helps"}


# --- what a point needs ------------------------------------------------------------------------


def test_a_point_that_needs_a_reason_waits_for_one() -> None:
    assert "churn" not in earned(mark(CRM, "Personal service reduces churn."))
    assert mark(CRM, "Personal service reduces churn.").points[2].why_not == "no reason given"
    assert "churn" in earned(mark(CRM, "Personal service reduces churn because customers feel valued."))
    assert "churn" in earned(mark(CRM, "Personal service reduces churn. This means customers stay longer."))


def test_an_evaluate_question_needs_a_judgement_not_a_list() -> None:
    weighed = (
        "Surveys reach many customers cheaply. Focus groups explain in depth why customers feel as they do. "
        "For a small shop I think focus groups are better because the owner needs reasons."
    )
    assert earned(mark(METHODS, weighed)) == {"survey-strength", "focus-strength", "judgement"}
    unweighed = (
        "Surveys reach many customers. Focus groups give detail about why. We use surveys and focus groups."
    )
    assert "judgement" not in earned(mark(METHODS, unweighed))
    as_list = "- surveys: many customers, cheap\n- focus groups: why, detail\n- focus groups best"
    assert earned(mark(METHODS, as_list)) == set()


# --- quotes and messages -----------------------------------------------------------------------


def test_the_quote_is_the_learners_own_sentence_as_written() -> None:
    answer = "crm is great!! It Stores every Customer's purchase history, honestly. staff tailor offers"
    marking = mark(CRM, answer)
    assert marking.points[0].quote == "It Stores every Customer's purchase history, honestly."
    assert marking.points[1].quote == "staff tailor offers"
    assert marking.points[2].quote is None


def test_a_long_sentence_is_quoted_cut_short_at_a_word() -> None:
    padding = " and it also does many other things for the business" * 8
    marking = mark(CRM, f"The CRM stores each customer's purchase history{padding}.")
    quote = marking.points[0].quote
    assert quote is not None and len(quote) <= QUOTE_LIMIT and quote.endswith("…")
    assert quote.startswith("The CRM stores each customer's purchase history")


def test_several_messages_joined_by_line_breaks_are_marked_as_one_answer() -> None:
    messages = ["crm keeps each customers purchase history", "- staff tailor offers", "this reduces churn"]
    marking = mark(CRM, "\n".join(messages))
    assert earned(marking) == {"record", "personalise"}  # "this reduces churn" gives no reason
    assert marking.points[1].quote == "staff tailor offers"
    assert [s.text for s in split_sentences("\n".join(messages))] == [
        "crm keeps each customers purchase history",
        "staff tailor offers",
        "this reduces churn",
    ]
    with_reason = [*messages[:2], "personal service reduces churn", "so customers stay with us"]
    assert "churn" in earned(mark(CRM, "\n".join(with_reason)))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*WORDS, ",", ".", "\n", "- ", "n't", "!!", "=", "5%"]), max_size=60) | st.text()
)
def test_any_text_is_marked_and_every_quote_is_from_it(pieces: list[str] | str) -> None:
    text = pieces if isinstance(pieces, str) else " ".join(pieces)
    for point in mark(CRM, text).points:
        assert point.earned == (point.quote is not None)
        if point.quote is not None:
            assert point.quote.removesuffix("…").strip() in text


def test_points_are_not_joined_across_sentences() -> None:
    assert "record" not in earned(mark(CRM, "We store lots of things. Customer history matters."))


def test_a_sentence_opening_on_they_speaks_of_the_sentence_before() -> None:
    answer = (
        "Focus groups are held with eight customers. But they explain in depth why people feel as they do."
    )
    marking = mark(METHODS, answer)
    assert "focus-strength" in earned(marking)
    assert marking.points[1].quote == "But they explain in depth why people feel as they do."
    assert "focus-strength" not in earned(mark(METHODS, "Focus groups are held monthly. It is why we exist."))


# --- the labelled set and the bank -------------------------------------------------------------


@pytest.fixture(scope="module")
def questions() -> dict[str, ExamQuestion]:
    """The shipped bank's exam questions."""
    return exam_questions(load_bank(CONTENT_DIR, floors=False))


def test_the_labelled_answers_are_marked_to_the_published_figures(questions: dict[str, ExamQuestion]) -> None:
    answers = load_answers()
    assert len(answers) >= 160
    assert check_labels(answers, questions) == []
    assert {answer.category for answer in answers} >= {
        "good",
        "partial",
        "off-topic",
        "negated",
        STUFFED,
        "misspelt",
        "list-for-evaluate",
    }
    result = evaluate(answers, questions)
    assert result.total.precision >= TARGETS["precision"], "\n".join(result.errors)
    assert result.total.recall >= TARGETS["recall"], "\n".join(result.errors)
    assert result.stuffed_max_points <= TARGETS["stuffed_max_points"]


def test_every_model_answer_earns_full_marks(questions: dict[str, ExamQuestion]) -> None:
    short = {
        item.id: [p.point_id for p in mark(item, item.model_answer).points if not p.earned]
        for item in questions.values()
    }
    assert {qid: missing for qid, missing in short.items() if missing} == {}


def _scheme_words(item: ExamQuestion) -> tuple[list[str], list[str]]:
    """Every group's first alternative of every phrasing, and per point its first phrasing's."""
    terms: list[str] = []
    per_point: list[str] = []
    for point in item.points:
        for text in point.phrasings:
            for group in parse(text).groups:
                term = " ".join(group[0].words) + ("ing" if group[0].prefix else "")
                if term not in terms:
                    terms.append(term)
        first = parse(point.phrasings[0]).groups
        per_point.append(" ".join(" ".join(g[0].words) + ("s" if g[0].prefix else "") for g in first))
    return terms, per_point


def test_a_learner_who_knows_every_phrasing_gains_nothing_by_pasting_them(
    questions: dict[str, ExamQuestion],
) -> None:
    for item in questions.values():
        terms, per_point = _scheme_words(item)
        stuffers = [
            ", ".join(terms),
            "It is " + " and ".join(terms) + ".",
            " ".join(terms),
            "The answer involves " + ", ".join(terms[:-1]) + " and " + terms[-1] + ".",
            "\n".join(terms),
            "This is because " + " and ".join(per_point) + ".",
        ]
        for text in stuffers:
            assert mark(item, text).earned <= 1, (item.id, text)


def test_marking_takes_a_few_milliseconds(questions: dict[str, ExamQuestion]) -> None:
    answers = load_answers()
    mark(questions[answers[0].question], answers[0].text)  # the word list is read once
    started = time.perf_counter()
    for answer in answers:
        mark(questions[answer.question], answer.text)
    assert (time.perf_counter() - started) / len(answers) < 0.02


def test_the_benchmark_prints_its_tables_and_ends_with_its_figures() -> None:
    result = subprocess.run(
        [sys.executable, "bench/marking.py"],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = result.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert {"answers", "precision", "recall", "stuffed_max_points", "ms_per_answer"} <= set(figures)
    assert {"categories", "bodies", "sets", "model_answers", "targets_met"} <= set(figures)
    assert figures["answers"] >= 160 and all(figures["targets_met"].values())
    assert figures["model_answers_short"] == 0
    assert any(line.startswith("category") for line in lines) and any(
        line.startswith("set") for line in lines
    )
