"""Starter text for the five public transparency pages; admins edit it afterwards.

The text says only what is true of every desk running this software (how a verdict
is reviewed, how corrections are shown, how readers report an error) and marks, in
italics, what each newsroom must write itself (its owners, funders and people).
Rows that already exist are left alone; going back removes only rows nobody edited.
"""

from django.db import migrations

RATINGS = """\
Every fact-check ends with one rating from the scale below. The rating says how \
accurate the claim is on the evidence we found; the explanation under each \
fact-check says why, and the sources let you check our work.

Ratings marked as verdicts are published with ClaimReview markup, which search \
engines and other fact-checkers read. Statements we list without checking (for \
example opinions) keep their rating on our pages but carry no such markup.
"""

METHODOLOGY = """\
### How we choose what to check

We check statements of fact that can be verified against evidence: figures, dates, \
records, what a law or a study says. We prefer claims that reach many people or \
matter to public decisions, and we check claims from every side in the same way.

### How we check

A reviewer researches each claim and looks for the original source of any figure. \
When the evidence for a claim is not public, we ask whoever made it for their \
source. Every verdict cites its sources, with links wherever they are online, \
so readers can follow our work.

### How a verdict is decided

The reviewer proposes a rating from our published scale (see *Our ratings*) with a \
written explanation. An editor who did not write it must approve it before it can \
be published, and a rating may require more than one editor's approval. A \
verdict an editor does not accept goes back to the reviewer with the reason.

### What we do not check

- Opinions, predictions and promises about the future.
- Satire, jokes and obvious rhetorical exaggeration.
- Questions of taste, belief or values, which evidence cannot settle.
- Private matters of private individuals.

When an article we review contains such statements we may list them as "Not a \
factual claim" so readers can see we read them, but we give them no verdict.

### Corrections

If we get something wrong we correct it openly; see our *Corrections policy*.
"""

CORRECTIONS = """\
We correct errors promptly and openly.

### How to tell us about an error

Every claim page has a form, *Report an error*. Reports go to our editors, who read \
every one; they are not published. Leave an email address if you would like an \
answer.

### What happens next

An editor checks the report against the evidence. If a verdict, its explanation or \
its sources were wrong, we correct the fact-check and publish it again.

### How corrections are shown

A corrected fact-check says so and keeps a public correction history: \
each version, when it was published, what changed (for example a rating changed \
from one value to another) and a note explaining why. A claim removed in a \
correction keeps its address, which then says when and why it was removed. We do \
not silently change published verdicts.
"""

FUNDING = """\
Readers should be able to judge our independence for themselves, so we publish \
who owns us and who pays for our work.

### Ownership

*The desk's admins: name the organisation's owners and its legal form here.*

### Funding

*List every source of funding above a threshold you state, with amounts or shares \
where you can.*

### Editorial independence

*Say how owners, funders and advertisers are kept out of decisions about what the \
desk checks and what it concludes.*
"""

TEAM = """\
Every fact-check is researched by a reviewer and approved by at least one editor \
who did not write it.

### Editors

*The desk's admins: list the editors responsible for the fact-checks, with a \
short biography for each.*

### Reviewers

*List the people who research and write the fact-checks.*

### Contact

*Give an address where readers can reach the editors. To report an error in a \
fact-check, use the form on its page.*
"""

PAGES = [
    ("ratings", "Our ratings", RATINGS),
    ("methodology", "How we fact-check", METHODOLOGY),
    ("corrections", "Corrections policy", CORRECTIONS),
    ("funding", "Funding and ownership", FUNDING),
    ("team", "Who we are", TEAM),
]


def seed_pages(apps, schema_editor):
    PublicPage = apps.get_model("factcheck", "PublicPage")
    for kind, title, body in PAGES:
        PublicPage.objects.get_or_create(
            kind=kind, defaults={"title": title, "body": body}
        )


def unseed_pages(apps, schema_editor):
    PublicPage = apps.get_model("factcheck", "PublicPage")
    for kind, title, body in PAGES:
        PublicPage.objects.filter(
            kind=kind, title=title, body=body, updated_by__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("factcheck", "0009_public_record")]
    operations = [migrations.RunPython(seed_pages, unseed_pages)]
