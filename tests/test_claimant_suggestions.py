"""Who made a claim, suggested at ingestion: the sentence's own attribution, or the
speaker of a transcript turn; vague subjects name nobody.

Every sentence here was written for these tests.
"""

from __future__ import annotations

import pytest

from factcheck import workflow
from factcheck.claimants import guess_kind, speaker_turns, suggest, suggest_for
from factcheck.models import AuditEvent, Claimant

from .factories import make_article

PERSON, ORG = "person", "organisation"


@pytest.mark.parametrize(
    ("sentence", "name", "kind", "role"),
    [
        ("The ministry said exports rose 12 percent in 2025.", "The ministry", ORG, ""),
        (
            "Exports of wool fell by a third, the farm bureau said.",
            "The farm bureau",
            ORG,
            "",
        ),
        ("Lena Park says the tunnel cost 80 million dollars.", "Lena Park", PERSON, ""),
        (
            "Omar Haddad told the committee that 900 nurses left.",
            "Omar Haddad",
            PERSON,
            "",
        ),
        (
            "The harbour authority stated that 40 ships docked in May.",
            "The harbour authority",
            ORG,
            "",
        ),
        (
            "Northwind Inc claimed its plant employs 2,000 people.",
            "Northwind Inc",
            ORG,
            "",
        ),
        ("The Green Party announced that membership doubled.", "Green Party", ORG, ""),
        (
            "Ivo Brandt argued the levy raised 3 billion euros.",
            "Ivo Brandt",
            PERSON,
            "",
        ),
        (
            "Mara Voss insisted the river was cleaner than in 1990.",
            "Mara Voss",
            PERSON,
            "",
        ),
        (
            '"We opened 14 clinics," said Aiko Mori, the health minister.',
            "Aiko Mori",
            PERSON,
            "health minister",
        ),
        (
            "Rita Solberg, the town treasurer, said debt fell to 2 million.",
            "Rita Solberg",
            PERSON,
            "town treasurer",
        ),
        (
            "Deputy Mayor Tomas Reyes said 300 homes were built.",
            "Tomas Reyes",
            PERSON,
            "Deputy Mayor",
        ),
        (
            "Rail traffic grew 8 percent, according to the transport office.",
            "The transport office",
            ORG,
            "",
        ),
        ("According to Kestrel Bank, lending rose 5 percent.", "Kestrel Bank", ORG, ""),
        (
            "Prices rose 4 percent, according to figures from the central bank.",
            "The central bank",
            ORG,
            "",
        ),
        (
            "The water board's spokesperson said 12 wells ran dry.",
            "The water board",
            ORG,
            "",
        ),
        (
            "A spokesperson for the Port of Lindholm said cargo doubled.",
            "Port of Lindholm",
            ORG,
            "",
        ),
        ("The UNHCR reported that 5,000 people crossed in June.", "UNHCR", ORG, ""),
        ("The governor said the state hired 600 teachers.", "The governor", PERSON, ""),
    ],
)
def test_the_sentence_names_its_claimant(sentence, name, kind, role):
    found = suggest(sentence)

    assert found is not None, sentence
    assert (found.name, found.kind, found.role) == (name, kind, role)


@pytest.mark.parametrize(
    "sentence",
    [
        "He said the bridge cost 40 million dollars.",
        '"Crime fell by half," she told reporters.',
        "They claimed that 2,000 jobs were lost.",
        "Officials said the dam holds 3 billion litres.",
        "Experts say sea levels rose 20 centimetres.",
        "Critics argued the tax raised nothing.",
        "Senior analysts estimated growth at 2 percent.",
        "A local official said 30 families were evacuated.",
        "It was reported that turnout reached 70 percent.",
        "Turnout reached 70 percent in the northern districts.",
        "The study said obesity doubled since 1980.",
        "Ana Ruiz and Ben Ott said the fund lost 3 million.",
    ],
)
def test_vague_subjects_and_unattributed_sentences_name_nobody(sentence):
    assert suggest(sentence) is None


TRANSCRIPT = """Town hall debate on transport

MODERATOR: Good evening. The first question is about buses.
COUNCILLOR HANNA LINDQVIST: We added 40 buses last year. Ridership rose 15 percent.
Fares are the lowest in the region.
Piet de Vries: That is not true. Fares rose twice since 2022.
Q: What about the tram?
The transport office said the tram carried 2 million people.
"""


def _line(body: str, starts_with: str) -> tuple[int, int]:
    start = body.index(starts_with)
    end = body.index("\n", start)
    return start, end


def test_a_transcript_speaker_makes_the_claims_of_their_turn():
    turns = speaker_turns(TRANSCRIPT)

    labelled = suggest_for(TRANSCRIPT, *_line(TRANSCRIPT, "COUNCILLOR"), turns)
    later = suggest_for(TRANSCRIPT, *_line(TRANSCRIPT, "Fares are"), turns)
    reply = suggest_for(TRANSCRIPT, *_line(TRANSCRIPT, "Piet"), turns)

    assert (labelled.name, labelled.role, labelled.via) == (
        "Hanna Lindqvist",
        "Councillor",
        "speaker",
    )
    assert later.name == "Hanna Lindqvist"
    assert (reply.name, reply.kind) == ("Piet de Vries", PERSON)


def test_an_anonymous_speaker_falls_back_to_the_attribution():
    turns = speaker_turns(TRANSCRIPT)

    moderator = suggest_for(TRANSCRIPT, *_line(TRANSCRIPT, "MODERATOR"), turns)
    relayed = suggest_for(TRANSCRIPT, *_line(TRANSCRIPT, "The transport"), turns)

    assert moderator is None
    assert relayed.name == "The transport office"


def test_one_labelled_line_or_a_heading_does_not_make_a_transcript():
    article = (
        "HARBOURTOWN: The port handled 3 million tonnes in 2025.\n"
        "Background: The port opened in 1901\n"
        "Update: The figure was revised.\n"
    )

    assert speaker_turns(article).starts == ()
    assert suggest_for(article, 0, article.index("\n")) is None


def test_kind_of_a_typed_name():
    assert guess_kind("Ministry of Fisheries") == ORG
    assert guess_kind("The Daily Courant") == ORG
    assert guess_kind("Selma Ek") == PERSON
    assert guess_kind("The mayor") == PERSON


# --- At ingestion --------------------------------------------------------------


@pytest.mark.django_db
def test_ingestion_sets_each_claims_claimant(reviewer):
    article = make_article(
        actor=reviewer,
        lines=[
            "The fisheries ministry said catches rose 9 percent in 2025.",
            "Catches fell 4 percent in 2024, the fisheries ministry said.",
            "Officials said 300 boats were licensed.",
            "Selma Ek, the harbour master, said 41 ships docked.",
        ],
    )

    claims = list(article.claims.order_by("start").select_related("claimant"))
    first, second, vague, person = (c.claimant for c in claims)

    assert first == second  # one claimant row for both
    assert (first.name, first.kind, first.slug) == (
        "The fisheries ministry",
        ORG,
        "the-fisheries-ministry",
    )
    assert vague is None
    assert (person.name, person.kind, person.role) == (
        "Selma Ek",
        PERSON,
        "harbour master",
    )
    created = AuditEvent.objects.get(action="article.created", article=article)
    assert created.data["claimants"] == 3


@pytest.mark.django_db
def test_an_existing_claimant_is_reused_and_keeps_its_details(reviewer, editor):
    first = make_article(
        actor=reviewer, lines=["Selma Ek, the harbour master, said 41 ships docked."]
    )
    selma = first.claims.get().claimant
    claim = workflow.take_claim(first.claims.get(), actor=reviewer)
    workflow.set_claimant(
        claim,
        actor=reviewer,
        name="Selma Ek",
        kind=PERSON,
        role="Harbour master of Lindholm",
        same_as="https://www.wikidata.org/wiki/Q1",
    )

    second = make_article(actor=reviewer, lines=["SELMA EK said 50 ships docked."])

    assert second.claims.get().claimant_id == selma.pk
    selma.refresh_from_db()
    assert selma.role == "Harbour master of Lindholm"
    assert Claimant.objects.count() == 1


@pytest.mark.django_db
def test_slugs_get_a_number_when_taken(reviewer):
    make_article(actor=reviewer, lines=["Jon Berg said 5 ferries run daily."])

    article = make_article(actor=reviewer, lines=["Jon-Berg said 6 ferries run."])

    assert set(Claimant.objects.values_list("slug", flat=True)) == {
        "jon-berg",
        "jon-berg-2",
    }
    assert article.claims.get().claimant.slug == "jon-berg-2"


@pytest.mark.django_db
def test_a_hand_added_claim_gets_a_suggestion_and_a_split_keeps_it(reviewer, editor):
    article = make_article(
        actor=reviewer,
        lines=["Lena Park said the tunnel cost 80 million. It opened in 2019."],
    )
    claim = article.claims.get()
    workflow.dismiss_claim(claim, actor=editor, reason="Select it again.")

    added = workflow.add_claim(
        article, actor=reviewer, start=claim.start, end=claim.end
    )
    first, second = workflow.split_claim(
        added, actor=reviewer, at=added.start + added.text.index("It opened")
    )

    assert added.claimant.name == "Lena Park"
    assert first.claimant_id == second.claimant_id == added.claimant_id
