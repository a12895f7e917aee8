"""The example request and answer of each operation, as the API docs (/api/docs/) show
them: one small, real world (TikTok, two of its pledges, the WeProtect Global Alliance),
on the address `make run` serves. tests/test_api_docs.py builds these records, asks for
each request and checks that the answer is this one, and that each example keeps to the
schema; change an answer here and there together.

A listing's example is one whole page (count 1, no next or previous page: the paginator's
own examples, commitments/api/pagination.py).
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiExample

SITE = "http://127.0.0.1:8000"


def source(url: str, title: str, publisher: str, published_on: str | None) -> dict:
    return {
        "url": url,
        "title": title,
        "publisher": publisher,
        "published_on": published_on,
        "archived_url": None,
        "quote": None,
    }


PLEDGE_SLUG = "tiktok-switches-off-direct-messages-for-accounts-under-16"
PLEDGE = {
    "url": f"{SITE}/api/commitments/{PLEDGE_SLUG}/",
    "html_url": f"{SITE}/commitments/{PLEDGE_SLUG}/",
    "slug": PLEDGE_SLUG,
    "platform": {"slug": "tiktok", "name": "TikTok"},
    "initiative": None,
    "kind": "age_restriction",
    "title": "TikTok switches off direct messages for accounts under 16",
    "summary": "TikTok said direct messaging would be automatically disabled for registered "
    "accounts of users under 16.",
    "status": "delivered",
    "announced_on": "2020-04",
    "effective_on": "2020-04-30",
    "deadline": None,
    "latest_follow_up_on": "2021-08",
    "lacks_follow_up": False,
    "follow_up_due_on": "2021-10-30",
    "follow_up_overdue": True,
    "products": "TikTok app",
    "worldwide": True,
    "countries": "",
    "age_min": None,
    "age_max": 15,
    "default_setting": "on_by_default",
    "cadence": None,
    "updated_at": "2026-11-25T08:00:00Z",
    "sources": [
        source(
            "https://www.vulture.com/2020/04/tiktok-disables-dms-under-16.html",
            "TikTok Disables DMs for Users Under 16 One Day Before Charli D'Amelio's Birthday",
            "Vulture",
            "2020-04",
        )
    ],
    "follow_ups": [
        {
            "id": 1,
            "happened_on": "2021-08",
            "kind": "statement",
            "summary": "TikTok repeated that messaging stays switched off for accounts under 16.",
            "status_after": "delivered",
            "tested_by": "",
            "test_account_age": None,
            "test_country": "",
            "app_version": "",
            "sources": [
                source(
                    "https://www.slashgear.com/tiktok-rolls-out-privacy-and-digital-wellbeing-"
                    "changes-to-protect-teens-12686410/",
                    "TikTok rolls out privacy and digital wellbeing changes to protect teens",
                    "SlashGear",
                    "2021-08-12",
                )
            ],
        }
    ],
}

PLATFORM = {
    "url": f"{SITE}/api/platforms/tiktok/",
    "html_url": f"{SITE}/platforms/tiktok/",
    "slug": "tiktok",
    "name": "TikTok",
    "parent": None,
    "kind": "video",
    "operator": "TikTok (ByteDance)",
    "category": "short-video social network",
    "website": "https://www.tiktok.com/",
    "description": "",
    # This pledge, and TikTok's membership of WeProtect (no follow-up yet).
    "pledges": 2,
    "followed_up": 1,
}

INITIATIVE = {
    "url": f"{SITE}/api/initiatives/weprotect-global-alliance/",
    "html_url": f"{SITE}/initiatives/weprotect-global-alliance/",
    "slug": "weprotect-global-alliance",
    "name": "WeProtect Global Alliance",
    "kind": "alliance",
    "convener": "",
    "website": "https://www.weprotect.org/about-us/who-we-are/",
    "launched_on": "2014-12",
    "description": "Multi-stakeholder alliance of governments, companies and civil society "
    "against online child sexual exploitation.",
    "pledges": 1,
    "followed_up": 0,
    "sources": [
        source(
            "https://www.weprotect.org/about-us/who-we-are/",
            "Who we are",
            "WeProtect Global Alliance",
            None,
        )
    ],
}


@dataclass(frozen=True)
class Example:
    """One request (its path's slug, its query) and the body of its 200 answer; for a
    listing, the one row of its page."""

    name: str
    answer: dict
    slug: str | None = None
    query: dict = field(default_factory=dict)

    def path(self, listing: str) -> str:
        return f"{listing}{self.slug}/" if self.slug else listing

    def request_line(self, listing: str) -> str:
        query = f"?{urlencode(self.query)}" if self.query else ""
        return f"Example request: `GET {self.path(listing)}{query}`"

    def schema_examples(self) -> list[OpenApiExample]:
        """The answer, and each parameter's value under the same name (Swagger UI fills
        them in for "Try it out")."""
        parameters = [("slug", "path", self.slug)] if self.slug else []
        parameters += [(name, "query", value) for name, value in self.query.items()]
        return [
            OpenApiExample(self.name, value=self.answer, response_only=True),
            *(
                OpenApiExample(self.name, value=value, parameter_only=(name, where))
                for name, where, value in parameters
            ),
        ]


# By listing (its address, as the router names it) and action.
EXAMPLES = {
    ("/api/commitments/", "list"): Example(
        "TikTok age restrictions", PLEDGE, query={"platform": "tiktok", "kind": "age_restriction"}
    ),
    ("/api/commitments/", "retrieve"): Example("One pledge", PLEDGE, slug=PLEDGE_SLUG),
    ("/api/platforms/", "list"): Example("Video platforms", PLATFORM, query={"kind": "video"}),
    ("/api/platforms/", "retrieve"): Example("One platform", PLATFORM, slug="tiktok"),
    ("/api/initiatives/", "list"): Example(
        "Initiatives named like WeProtect", INITIATIVE, query={"q": "weprotect"}
    ),
    ("/api/initiatives/", "retrieve"): Example(
        "One initiative", INITIATIVE, slug="weprotect-global-alliance"
    ),
}
