"""Public URLs. They are cited and linked from elsewhere: keep them stable."""

from django.urls import path

from commitments.public import (
    badges,
    corrections,
    directory,
    downloads,
    feeds,
    kept_text,
    listing,
    methodology,
    overview,
    releases,
    scorecards,
)
from commitments.public.throttles import DownloadThrottle, FeedThrottle, throttled

app_name = "commitments"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("commitments/", listing.commitment_list, name="list"),
    path("commitments/<slug:slug>/", listing.commitment_detail, name="detail"),
    path("platforms/", directory.platform_list, name="platforms"),
    # Before the platform's own address, which "compare" would otherwise match; no
    # platform may take that slug (Platform.reserved_slugs).
    path("platforms/compare/", scorecards.comparison, name="compare"),
    path("platforms/<slug:slug>/", directory.platform_detail, name="platform"),
    path("initiatives/", directory.initiative_list, name="initiatives"),
    path("initiatives/<slug:slug>/", directory.initiative_detail, name="initiative"),
    path("matrix/", directory.matrix, name="matrix"),
    path("sources/<int:pk>/text/", kept_text.source_text, name="source_text"),
    path("methodology/", methodology.methodology, name="methodology"),
    path("corrections/", corrections.suggest_correction, name="correction"),
    path(
        "commitments/<slug:slug>/correction/",
        corrections.suggest_correction,
        name="commitment_correction",
    ),
    path("corrections/sent/", corrections.correction_sent, name="correction_sent"),
    path("data/", releases.data_releases, name="data"),
]

# For machines: downloads and feeds of the listing (same parameters), each throttled per
# client (throttles.py), and the badge.
per_download, per_feed = throttled(DownloadThrottle), throttled(FeedThrottle)
urlpatterns += [
    path("commitments.csv", per_download(downloads.export_csv), name="export_csv"),
    path("commitments.json", per_download(downloads.export_json), name="export_json"),
    path("platforms/compare.csv", per_download(scorecards.comparison_csv), name="compare_csv"),
    path("platforms/compare.json", per_download(scorecards.comparison_json), name="compare_json"),
    path(
        "platforms/<slug:slug>/scorecard.csv",
        per_download(scorecards.scorecard_csv),
        name="scorecard_csv",
    ),
    path(
        "platforms/<slug:slug>/scorecard.json",
        per_download(scorecards.scorecard_json),
        name="scorecard_json",
    ),
    path("feeds/commitments.atom", per_feed(feeds.CommitmentFeed()), name="feed"),
    path("feeds/platforms/<slug:slug>.atom", per_feed(feeds.PlatformFeed()), name="platform_feed"),
    path(
        "feeds/initiatives/<slug:slug>.atom",
        per_feed(feeds.InitiativeFeed()),
        name="initiative_feed",
    ),
    path("platforms/<slug:slug>/badge.svg", badges.badge, name="badge"),
    # A release's files: the names are looked up among the releases, never used as paths.
    path(
        "data/<str:release>/<str:filename>",
        per_download(releases.release_download),
        name="release_file",
    ),
]
