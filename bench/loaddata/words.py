"""Wording for synthetic load data: names, titles, summaries.

Every name and title carries the word MARKER, so that load data is never taken for real
pledges, and every web address is under the reserved .example domain, so that nothing
(the link checker included) can ever reach a real site through it.
"""

import random
import re

MARKER = "Loadtest"

FEATURES = [
    "direct messages",
    "live streaming",
    "comments",
    "friend suggestions",
    "location sharing",
    "voice chat",
    "group chats",
    "public profiles",
    "search results",
    "recommendations",
    "virtual gifting",
    "in-app purchases",
    "night-time notifications",
    "duets and remixes",
]
PRODUCTS = ["app", "app, web", "app, web, Lite", "web", "app (Android, iOS)", "Kids app"]
COUNTRIES = ["GB", "IE", "FR", "DE", "AU", "US", "CA", "NL", "SE", "BR", "IN", "JP"]
REGIONS = ["Global", "European", "Asia-Pacific", "Transatlantic", "Nordic", "Commonwealth"]
TOPICS = [
    "Child Online Safety",
    "Age Assurance",
    "Countering Online Child Sexual Exploitation",
    "Safety by Design",
    "Online Grooming",
    "Transparency Reporting",
    "Livestreamed Abuse",
    "Youth Wellbeing",
]
INITIATIVE_FORMS = {
    "alliance": "{region} Alliance on {topic}",
    "principles": "Voluntary Principles on {topic}",
    "code_of_practice": "{region} Code of Practice on {topic}",
    "industry_coalition": "{region} Industry Coalition for {topic}",
    "program": "{region} Programme for {topic}",
    "law": "{region} {topic} Act",
}
CATEGORIES = {
    "social": "social network",
    "messaging": "messaging service",
    "gaming": "online game and its chat",
    "video": "video-sharing service",
    "search": "search engine",
    "app_store": "app store",
    "other": "online service",
}
NEWS_OUTLETS = ["Daily", "Times", "Post", "Tribune", "Wire", "Chronicle"]
GOVERNMENT = ["Ministry of Digital Affairs", "Online Safety Regulator", "Parliament"]
NGOS = ["Child Safety Foundation", "Children's Rights Network", "Online Harms Watch"]
UNIVERSITIES = ["University", "Institute of Technology", "School of Economics"]
TESTERS = ["Loadtest Child Safety Foundation", "Loadtest Consumer Group", "Loadtest Newsroom"]
JOBS = ["Head of Safety", "Chief Executive", "Policy Director", "Spokesperson", "Researcher"]


def initiative_name(rng: random.Random, initiative_id: int, kind: str) -> str:
    form = INITIATIVE_FORMS.get(kind, "{region} Initiative on {topic}")
    words = form.format(region=rng.choice(REGIONS), topic=rng.choice(TOPICS))
    return f"{MARKER} Initiative {initiative_id:03d}: {words}"


def pledge_phrase(rng: random.Random, kind: str, initiative: str, low: int, high: int) -> str:
    """The part of a commitment's title after its marker: what was promised."""
    feature = rng.choice(FEATURES)
    if kind == "membership":
        return f"Joins the {initiative}"
    if kind == "endorsement":
        return f"Endorses the {initiative}"
    if kind == "signatory":
        return f"Signs the {initiative}"
    if kind == "age_restriction":
        return f"Restricts {feature} to users aged {high + 1} and over"
    if kind == "product_change":
        return rng.choice(
            [
                f"Turns off {feature} by default for users under {high + 1}",
                f"Adds parental controls for {feature}",
                f"Limits {feature} for teen accounts",
            ]
        )
    if kind == "policy":
        return rng.choice(
            [
                f"Bans adults from contacting under-{high + 1}s through {feature}",
                f"Updates its community guidelines on {feature}",
            ]
        )
    if kind == "reporting":
        return rng.choice(
            [
                "Publishes a transparency report on child safety",
                f"Reports removals of harmful {feature} content",
            ]
        )
    if kind == "funding":
        return f"Funds research into {rng.choice(TOPICS).lower()}"
    return f"Reviews the safety of {feature} for users aged {low}–{high}"


def pledge_summary(rng: random.Random, platform: str, phrase: str, where: str) -> str:
    opening = rng.choice(["announced that it", "said it", "confirmed that it", "told parents it"])
    reason = rng.choice(
        [
            "after pressure from child-safety groups.",
            "ahead of new rules on online safety.",
            "following reports of grooming on the service.",
            "as part of a wider safety review.",
        ]
    )
    evidence = rng.choice(
        [
            "No timetable was given.",
            "The company said the change would roll out over several months.",
            "Independent researchers have asked to see evidence that it works.",
            "The announcement was made in a blog post and to the press.",
        ]
    )
    return f"{platform} {opening} {phrase[0].lower()}{phrase[1:]} ({where}), {reason} {evidence}"


FOLLOW_UP_WORDS = {
    "progress_report": "reported progress: the change has reached part of its users.",
    "transparency_report": "published a transparency report covering the pledge.",
    "independent_test": "was tested with a teen test account; the observations are recorded.",
    "regulator_finding": "was examined by a regulator, whose finding is recorded here.",
    "statement": "made a public statement about the pledge.",
    "reversal": "rolled the change back.",
    "reply": "replied to our questions about the pledge.",
    "other": "was the subject of further reporting.",
}


def follow_up_summary(platform: str, kind: str) -> str:
    return f"{MARKER} follow-up: {platform} {FOLLOW_UP_WORDS[kind]}"


def source_publisher(rng: random.Random, kind: str, platform: str) -> tuple[str, str]:
    """(publisher, host) of a source of this kind."""
    if kind == "platform":
        return f"{platform} Newsroom", f"newsroom.{slug_host(platform)}.example"
    if kind == "news":
        outlet = rng.choice(NEWS_OUTLETS)
        return f"The {MARKER} {outlet}", f"www.{MARKER.lower()}-{outlet.lower()}.example"
    if kind == "government":
        body = rng.choice(GOVERNMENT)
        return f"{MARKER} {body}", f"www.{slug_host(body)}.gov.example"
    if kind == "ngo":
        body = rng.choice(NGOS)
        return f"{MARKER} {body}", f"www.{slug_host(body)}.org.example"
    body = rng.choice(UNIVERSITIES)
    return f"{MARKER} {body}", f"research.{slug_host(body)}.example"


def slug_host(text: str) -> str:
    """A host name label: letters, digits and single hyphens, within DNS's 63 characters."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:63].strip("-")


def person_name(person_id: int) -> str:
    return f"{MARKER} Person {person_id:04d}"
