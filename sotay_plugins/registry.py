"""The plugin registry: the extension points through which plugins add to the product.

A plugin never imports another plugin's internals; it registers what it offers here (from its
``PluginConfig.register``) and reads what others offered. Wagtail admin menus and viewsets are
registered through Wagtail's own hooks (``wagtail_hooks.py`` of each plugin), which already are
that extension point; everything party-specific lives here:

- roles and capabilities: the built-in roles a plugin defines and the rights it defines, with
  the roles that bundle them (``orgtree.roles.sync_builtin_roles`` writes them to the Role table);
- shell tabs and home cards: what the member's mobile shell shows;
- statistics providers: figures the reports module aggregates per organisation;
- searchable kinds: what the search index holds;
- scoped page types: a plugin's Wagtail pages whose admin rights, listings and workflow
  approval follow their unit (``ScopedPageType``);
- API routes and paths: viewsets and plain views mounted under /api/v1/;
- notice kinds: the notifications a plugin can send;
- demo seeders: the demo data a plugin adds to ``seed_demo``'s province;
- rolls: where check-ins of one kind of event land (the attendance plugin serves them);
- the subject and credential resolvers the members plugin publishes (``CredentialResolver``);
- point rules: what a member earns points for (``PointRule``); the module that owns the event
  registers the rule and sends ``signals.points_earned`` when it happens;
- calendar sources: what a member's calendar shows from each module (``CalendarSource``: their
  meetings, study sessions, quiz and feedback deadlines); the agenda plugin gathers them.
- spoken kinds: published pages that get an audio version made on the server (``SpokenKind``,
  ``sotay_plugins.speech``).
- offline sources: what a member's phone may keep to read with no network (``OfflineSource``),
  each module for its own items, re-checked by the same module when the phone is back online.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Capability:
    code: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class BuiltinRole:
    """A role a plugin ships (``Registry.add_role``); ``needs_body``: held for an advisory body."""

    code: str
    name: str
    description: str = ""
    needs_body: bool = False


@dataclass(frozen=True)
class ShellTab:
    """A tab of the member shell's bottom bar. ``url_name`` is reversed without arguments.

    ``badge`` (optional): ``fn(request) -> int | None``, a small count shown on the tab (unread
    notices); asked only when the shell renders the tab, and it must be cheap (cached).
    """

    key: str
    label: str
    url_name: str
    icon: str = "•"
    order: int = 100
    badge: Callable[[Any], int | None] | None = None


@dataclass(frozen=True)
class HomeCard:
    """A card on the member's home page.

    ``context`` receives the request and returns the template context, or None to hide the card.
    Cards must stay cheap: the home page budget is 10 queries in all.

    The whole page is kept for its member (``sotay_plugins.pagecache``) only if every card says
    what would change it: ``depends(request)`` returns the version-stamp keys
    (``sotay_plugins.versions``) of what the card shows beyond the member's own record (which
    every page depends on), or None when the card cannot be kept (then neither can the page);
    ``expires(request, context)`` (optional) the moment the card goes stale by itself (a date
    shown, a meeting that stops being upcoming), or None. A card without ``depends`` makes the
    page uncacheable: keeping a page is opt-in.
    """

    key: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100
    depends: Callable[[Any], list | None] | None = None
    expires: Callable[[Any, dict], Any] | None = None


#: How a measure rolls up, over the tree (a unit from its cells) and over time (a quarter or a
#: year from its months):
#:
#: - ``sum``: a flow (meetings held, documents opened): summed over both;
#: - ``stock``: a head count at the end of the month (members): summed over the tree, the last
#:   month of the period over time;
#: - ``max``: the largest over both;
#: - ``rate``: ``numerator`` / ``denominator`` (two measures of the same provider), each rolled
#:   up first, times the measure's ``scale`` (100: a percentage; 1: an average, such as points
#:   per member); never stored itself;
#: - ``distinct``: distinct things (members who opened anything) that cannot be added over time:
#:   the provider computes it per cell for the month, the quarter and the year
#:   (``period_rows``); summed over the tree (each thing belongs to one cell).
ROLLUPS = ("sum", "stock", "max", "rate", "distinct")


@dataclass(frozen=True)
class Measure:
    """One figure of a statistics provider (:data:`ROLLUPS` says how it rolls up).

    ``dimensions``: keys of the provider's :class:`Dimension` s the measure is also broken down by
    (member counts by sex, age band...). ``unit``: shown after the value ("%" for a rate).
    ``scale``: what a rate's quotient is multiplied by (100: a percentage, 1: an average).
    """

    key: str
    label: str
    rollup: str = "sum"
    numerator: str = ""
    denominator: str = ""
    dimensions: tuple[str, ...] = ()
    unit: str = ""
    scale: int = 100

    def ratio(self, numerator, denominator):
        """The rate's value from its rolled-up terms (None when it cannot be said)."""
        if not denominator or numerator is None:
            return None
        return round(self.scale * numerator / denominator, 1)

    def __post_init__(self):
        if self.rollup not in ROLLUPS:
            raise ValueError(f"measure '{self.key}': unknown roll-up '{self.rollup}'")
        if (self.rollup == "rate") != bool(self.numerator and self.denominator):
            raise ValueError(f"measure '{self.key}': a rate (and only a rate) names its terms")


@dataclass(frozen=True)
class Dimension:
    """A criterion a measure is broken down by: ``choices`` are ``(value, label)`` pairs."""

    key: str
    label: str
    choices: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class CellFigure:
    """One stored number: ``value`` of ``measure`` for the cell ``cell_id`` in the month that
    starts on ``month`` (a date, the 1st), broken down by ``dimension``=``choice`` (both "" for
    the total). ``members`` (optional): {member id: a count} behind the figure, for the lists of
    a secretary (members who never open documents)."""

    cell_id: int
    month: Any
    measure: str
    value: int
    dimension: str = ""
    choice: str = ""
    members: Mapping[int, int] | None = None


def month_starts(start, end):
    """The first days of the months from ``start`` (the 1st of a month) to ``end`` (excluded):
    the months a provider's ``rows`` answers for."""
    from datetime import date

    month = date(start.year, start.month, 1)
    while month < end:
        yield month
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_of(moment):
    """The first day of the local month of a date or an aware datetime (``TruncMonth`` results
    included)."""
    from datetime import date, datetime

    from django.utils import timezone

    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return date(moment.year, moment.month, 1)


def cell_figures(figures, cells=None):
    """The :class:`CellFigure` s of ``figures`` ({(unit id, month, measure): n}, the shape every
    provider's ``rows`` counts into), leaving out zeros and, when ``cells`` is given, the units
    not in it."""
    return [
        CellFigure(unit, month, measure, n)
        for (unit, month, measure), n in figures.items()
        if n and (cells is None or unit in cells)
    ]


def spread_over_months(figures, counts, months, measure):
    """Put a head count ({unit id: n}, today's) in ``figures`` under ``measure`` for each of
    ``months``: the denominator of a provider's rates (members, audience)."""
    months = list(months)
    for unit, n in counts.items():
        for month in months:
            figures[(unit, month, measure)] = n


#: How a list of per-item figures may be sorted (``StatisticsProvider.items``): a key, or the key
#: with "-" before it for the largest first.
ITEM_ORDERS = ("published", "title", "expected", "opened", "rate")


@dataclass(frozen=True)
class ItemFigure:
    """One item's figures for one unit (a document deployed to it): ``expected`` members who
    should read it there, ``opened`` those of them who opened it, ``rate`` the share (%)."""

    id: int
    title: str
    number: str
    published_at: Any
    audience_org: int
    issuer_org: int
    expected: int
    opened: int

    @property
    def rate(self):
        return round(100 * self.opened / self.expected, 1) if self.expected else None


@dataclass(frozen=True)
class StatisticsProvider:
    """Figures the reports module rolls up per unit and period (issue 16).

    Two shapes, both accepted:

    - the snapshot shape (the first one): ``compute(orgs)`` → {org_id: value}, a figure of today
      for each unit asked (any level). The reports plugin stores it for the current month every
      night (it cannot rebuild the past of such a figure);
    - the roll-up shape: ``measures`` (and their ``dimensions``), and ``rows(start, end, *,
      cells=None, exclude=frozenset())`` → an iterable of :class:`CellFigure` for the months from
      ``start`` (the 1st of a month) to ``end`` (excluded), computed from the provider's raw rows
      with a few GROUP BY queries; ``cells`` (a set of ids) limits it to those cells (the
      incremental refresh), ``exclude`` holds the member groups left out of this statistic by
      configuration (``MemberGroup`` codes, plus ``"no_smartphone"``). ``period_rows(start,
      end, *, cells=None, exclude=frozenset())`` gives the ``distinct`` measures over a whole
      quarter or year (``CellFigure.month`` is then ``start``). ``touched(since)`` → {(cell id,
      month)} whose figures events since ``since`` (an aware datetime) may have changed: the
      incremental refresh recomputes those only (None: the provider cannot tell, the current
      month of every cell is recomputed).

    Per-item figures (optional; the reading of each document): ``items(org, start, end, *,
    order, offset, limit, exclude=frozenset())`` → ``(count, [ItemFigure])``: the items of the
    period that reached the unit ``org`` (an Organisation the reports plugin has checked against
    the caller's scope), sorted by ``order`` (one of :data:`ITEM_ORDERS`, "-" for descending),
    the slice ``[offset:offset + limit]``, in a bounded number of queries whatever the size: it
    reads figures the provider stored itself with ``refresh_items(since=None, *,
    exclude=frozenset())`` (None: every item; else those whose events since ``since`` may have
    changed), which the reports plugin calls from its rebuild and its incremental refresh.
    ``item_label`` names the items ("Văn bản").

    ``section`` groups providers on the dashboard ("members", "reading", "meetings", "study",
    "feedback"); ``excludable``: the member groups may be left out of this statistic by
    configuration (``SOTAY_REPORTS_EXCLUDED_GROUPS``); ``people(ids)`` → {member id: {...}}
    (members plugin): who the ids of a list are.
    """

    key: str
    label: str
    compute: Callable[[Any], dict] | None = None
    measures: tuple[Measure, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    rows: Callable[..., Any] | None = None
    period_rows: Callable[..., Any] | None = None
    touched: Callable[[Any], Any] | None = None
    section: str = ""
    order: int = 100
    excludable: bool = False
    people: Callable[[Any], dict] | None = None
    description: str = ""
    items: Callable[..., Any] | None = None
    refresh_items: Callable[..., Any] | None = None
    item_label: str = ""

    def __post_init__(self):
        if (self.items is None) != (self.refresh_items is None):
            raise ValueError(f"statistic '{self.key}': items need refresh_items, and back")
        if self.compute is None and self.rows is None:
            raise ValueError(f"statistic '{self.key}': give compute(orgs) or rows(start, end)")
        keys = {m.key for m in self.measures}
        dims = {d.key for d in self.dimensions}
        for m in self.measures:
            if m.rollup == "rate" and not {m.numerator, m.denominator} <= keys:
                raise ValueError(f"measure '{m.key}': its terms are not measures of '{self.key}'")
            if not set(m.dimensions) <= dims:
                raise ValueError(f"measure '{m.key}': unknown dimension")
        if any(m.rollup == "distinct" for m in self.measures) and self.period_rows is None:
            raise ValueError(f"statistic '{self.key}': distinct measures need period_rows")

    @property
    def rolls_up(self):
        return self.rows is not None

    def measure(self, key):
        return next((m for m in self.measures if m.key == key), None)

    def dimension(self, key):
        return next((d for d in self.dimensions if d.key == key), None)


#: What a searchable kind's key may be (``Registry.add_searchable``; ``search.urls`` carries it).
SEARCHABLE_KEY = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")


@dataclass(frozen=True)
class SearchableKind:
    """A kind of item the member search finds (``search``), declared by the module that owns it.

    ``model`` is scoped (it declares a ScopeSpec): staff find what ``scope.visible_to`` gives
    them; members find what reaches them through the audience (``audience``, below).
    ``queryset`` (optional) narrows the findable items (e.g. live pages only): an item that
    leaves it (withdrawn, expired) leaves the index. It filters on the items' own stored state
    (no clock, no request): the database search keeps its compiled SQL per viewer.
    ``date_field`` dates a hit (sort by date, the year facet); ``url`` (optional) maps an
    object to the member page that shows it.

    What is indexed, generically (the search module knows no model):

    - ``title_field``, ``number_field`` (a document number such as "12-NQ/TW": matched as a
      whole whatever its separators, offered by autocomplete);
    - ``text(obj)`` → the body text (summary, lead, question and answer, …);
    - ``files(obj)`` → the item's stored files (Django ``File``/``FieldFile`` objects): the text
      inside PDF and Word files is extracted and indexed;
    - ``audience(obj)`` → ``(org, positions, groups)``: the unit whose members (in its subtree)
      may read the item and the position/group filters (empty: everyone). Default: the
      ``Published`` fields ``audience_org``, ``audience_positions``, ``audience_groups``. A kind
      that reaches its members by another rule (a cell's own meetings) returns that unit;
    - ``related``: the models whose change re-indexes an item, each with the name of the field
      holding the item's id (``(DocumentFile, "page_id")``);
    - ``prefetch``: ``prefetch_related`` lookups that ``text``/``files`` read (no N+1 when the
      whole kind is indexed).

    ``folded_field`` is the legacy per-model folded column (kept for the library's own filter).
    """

    key: str
    label: str
    model: Any
    title_field: str = "title"
    folded_field: str = "search_folded"
    date_field: str = ""
    #: What the date is, shown before it ("Ban hành", "Đăng"): the same label as on the item's
    #: own page, so a date in the results never looks like another one (issue 17).
    date_label: str = ""
    queryset: Callable[[], Any] | None = None
    url: Callable[[Any], str] | None = None
    order: int = 100
    number_field: str = ""
    text: Callable[[Any], str] | None = None
    files: Callable[[Any], Any] | None = None
    audience: Callable[[Any], Any] | None = None
    related: tuple = ()
    prefetch: tuple = ()


@dataclass(frozen=True)
class SpokenKind:
    """A kind of published page that gets an audio version made on the server
    (``sotay_plugins.speech``), declared by the module that owns it.

    ``model`` is a Wagtail Page subclass; ``text(page)`` the words to speak (plain text, lines
    end sentences; empty: no audio, e.g. a resolution with a recorded reading already);
    ``queryset()`` the live pages of the kind (for ``manage.py generate_audio``). The owning
    module serves the audio after its own scope check.
    """

    key: str
    label: str
    model: Any
    text: Callable[[Any], str]
    queryset: Callable[[], Any]
    order: int = 100


@dataclass(frozen=True)
class ScopedPageType:
    """A plugin's Wagtail page type whose admin rights follow its unit (issue 13).

    The module that owns the site's page permission policy and its editorial workflow lists,
    opens and has these pages approved exactly like its own scoped pages: ``model`` (a Page
    subclass with a ``ScopeSpec``) belongs to the unit in ``org_field`` (a foreign key to the
    organisation: the issuer). ``write_capability`` held at or above that unit → create and edit
    drafts and submit them to the workflow; ``approve_capability`` held there → publish, lock,
    unlock and approve the workflow's step (the scope engine answers both: ``orgtree.scope``).
    ``parent_model`` is the page type new pages are created under (an index page): it is shown
    in the admin explorer to whoever writes or approves the type. The page's own
    ``permissions_for_user`` (Wagtail's per-page tester) stays the plugin's.
    """

    key: str
    model: Any
    write_capability: str
    approve_capability: str
    org_field: str = "issuer_org"
    parent_model: Any = None

    @property
    def org_id_field(self):
        return f"{self.org_field}_id"

    def org_of(self, page):
        """The unit of a page of this type (None: not set yet)."""
        return getattr(page, self.org_field) if getattr(page, self.org_id_field) else None


@dataclass(frozen=True)
class ApiRoute:
    prefix: str
    viewset: Any
    basename: str


@dataclass(frozen=True)
class ApiPath:
    """A plain API view mounted at /api/v1/<route> (for what is not a viewset)."""

    route: str
    view: Any
    name: str


@dataclass(frozen=True)
class NoticeKind:
    """A notification a plugin can send (``signals.notice_requested``'s ``kind``).

    ``default``: how members get it until they choose ("immediate", "digest" or "off");
    ``required``: members cannot turn it off or put it in the digest (a meeting convened).
    """

    key: str
    label: str
    default: str = "immediate"
    required: bool = False


@dataclass(frozen=True)
class DemoSeeder:
    """Demo data a plugin adds once ``seed_demo`` has built the province (units, members, staff).

    ``seed(scale=, seed=, stdout=)`` is called in ``order``: ``scale`` is "tiny", "small" or
    "province", ``seed`` the command's ``--seed`` (derive your own ``random.Random`` from it, so
    the data do not depend on other seeders), ``stdout`` the command's output for a summary line.
    """

    key: str
    seed: Callable[..., Any]
    order: int = 100


@dataclass(frozen=True)
class Claims:
    """What a member's signed QR token asserts, for a caller that checks the rest in its own SQL.

    ``member_id`` and ``method`` ("card", "app") are what the token names once its signature (and
    an app token's lifetime) held; ``shape`` (hashable) says which SQL the remaining checks take
    (:meth:`CredentialResolver.member_sql`) and ``params`` their values (``%(c0)s``, ``%(c1)s``…).
    """

    member_id: int
    method: str
    shape: Any
    params: Mapping[str, Any]


@dataclass(frozen=True)
class MemberSql:
    """SQL over the members' table, written by the members plugin (its columns stay its own).

    ``table`` is the quoted table to put in a FROM clause under the alias the caller chose;
    ``where`` ties that alias to the caller's member id expression and adds the credential's
    conditions (parameters ``%(c0)s``…); ``name`` is the member's display name expression.
    """

    table: str
    where: str
    name: str


@runtime_checkable
class CredentialResolver(Protocol):
    """Who a scanned QR names: what the members plugin publishes as
    ``registry.credential_resolver``.

    Every method raises ``django.core.exceptions.ValidationError`` with a Vietnamese message (and a
    ``code``) for a credential it refuses.
    """

    def resolve(self, *, token=None, cccd_qr=None, among=None) -> tuple[int, str]:
        """``(member_id, method)`` of a member's signed token or of a chip citizen-ID card's QR
        text (method "card", "app" or "cccd"). ``among`` (a queryset of member ids), when given,
        is who may be named at all: a chip card of anyone else is refused exactly as an unknown
        one, so the answer never tells whether that person is a member elsewhere."""

    def claims(self, token) -> Claims:
        """What a token asserts once its signature holds, with the checks left for SQL (card not
        revoked, member still active); a caller that finds no row meeting them asks
        :meth:`resolve` for the reason."""

    def member_sql(self, alias: str, member_id_sql: str, shape=None) -> MemberSql:
        """The members' table and conditions for ``alias``: the row ``member_id_sql`` names,
        meeting the conditions of a claims ``shape`` (None: no credential conditions)."""


@dataclass(frozen=True)
class RollTexts:
    """What a roll's check-in says, in its module's own words (Vietnamese, lazily translated).

    ``not_expected_named`` has ``%(name)s``. The others are plain sentences."""

    not_found: str  # 404: the event is out of sight or does not exist
    only_staff: str  # 403: visible (a participant) but without the right to check people in
    forbidden: str  # 403: the right is missing for this event
    not_expected: str  # 400: the member is not on this event's roll
    not_expected_named: str
    too_early: str  # an offline check-in dated long before the start
    locked: str  # the scan page of a closed or cancelled event
    roll_title: str  # the scan page's list heading
    empty: str  # the scan page's list when nobody is expected


@dataclass(frozen=True)
class Roll:
    """Where check-ins of one kind of event land; served by the attendance plugin.

    A module registers one for its own events (``attendance.rolls.add``): ``model`` is its
    concrete attendance model (a subclass of ``attendance.models.AbstractAttendance``, unique per
    (event, member)), ``event_field`` the foreign key from that model to the event. The event is
    scoped (its ``ScopeSpec``); ``org_field`` is its unit, where ``capability`` (check people in)
    or ``view_capability`` (read the list) must be held. ``starts_field`` is when it starts
    (late after the grace minutes); ``closed`` maps each value of ``state_field`` that closes
    the roll to ``(code, message)`` (HTTP 409). ``api_prefix``/``api_name`` name the API paths
    (``<api_prefix>/<pk>/checkin/``, ``api:<api_name>-checkin``…); ``page_url`` is the scan
    page's URL name; ``offline_queue`` the prefix of the device's offline queue key;
    ``event_fields`` (optional) the fields check-in reads of the event, to spare the rest.
    """

    key: str
    model: Any
    event_field: str
    capability: str
    view_capability: str
    texts: RollTexts
    api_prefix: str
    api_name: str
    page_url: str
    mark_url: str
    org_field: str = "audience_org"
    starts_field: str = "starts_at"
    state_field: str = "state"
    closed: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    offline_queue: str = ""
    event_fields: tuple[str, ...] = ()

    @property
    def event_model(self):
        return self.model._meta.get_field(self.event_field).related_model

    @property
    def event_column(self):
        return self.model._meta.get_field(self.event_field).column


@dataclass(frozen=True)
class PointRule:
    """What a member earns points for, registered by the module whose event it is
    (``Registry.add_point_rule``) and applied by whichever plugin keeps the points ledger when the
    module sends ``signals.points_earned`` with this ``key``.

    ``key`` is "<app_label>.<event>" (e.g. "<module>.attended"); ``label`` the Vietnamese words a
    member reads on their ledger line; ``points`` (> 0) what one event earns; ``cap_per_day``
    the most points the rule gives one member on one day, ``cap_per_item`` the most it gives one
    member for one source item (None: no cap). A province may override points and caps; a line
    keeps the points it was given, so changing a rule never rewrites the past.
    ``titles`` (optional): ``fn(pks) -> {pk: title}`` for the rule's source items (the model named
    by the sources "<app_label>.<model>:<pk>"), so that a ledger line can name what it was for;
    it must be one query whatever the number of pks. ``history`` (optional):
    ``fn(since) -> iterable of (member_id, source, at)``, the events that earned the rule since
    a moment, for a backfill when points are switched on (and for the demo).
    """

    key: str
    label: str
    points: int
    cap_per_day: int | None = None
    cap_per_item: int | None = None
    description: str = ""
    titles: Callable[[list], dict] | None = None
    history: Callable[[Any], Any] | None = None
    order: int = 100

    def __post_init__(self):
        if not isinstance(self.points, int) or self.points <= 0:
            raise ValueError(f"point rule '{self.key}': points must be a positive integer")
        for cap in (self.cap_per_day, self.cap_per_item):
            if cap is not None and (not isinstance(cap, int) or cap <= 0):
                raise ValueError(f"point rule '{self.key}': a cap must be a positive integer")


@dataclass(frozen=True)
class CalendarEvent:
    """One entry of a member's calendar, as a module describes it (``CalendarSource``).

    ``uid`` is stable and unique across the site ("meetings.meeting:12"): a phone's calendar
    app updates the event it already has. ``starts_at``/``ends_at`` are aware datetimes, or
    dates when ``all_day`` (a deadline day); ``ends_at`` may be None. ``url`` is the member
    page that shows it (site-relative), ``kind`` the source's key (for its colour and label).
    """

    uid: str
    kind: str
    title: str
    starts_at: Any
    ends_at: Any = None
    all_day: bool = False
    url: str = ""
    place: str = ""
    description: str = ""


def calendar_bounds(start, end):
    """A calendar source's ``[start, end)`` dates as aware datetimes at local midnight, for a
    filter on a timestamp (``starts_at__gte=low, starts_at__lt=high``)."""
    from datetime import datetime, time

    from django.utils import timezone

    return (
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(end, time.min)),
    )


@dataclass(frozen=True)
class CalendarSource:
    """What one module adds to a member's calendar (the agenda plugin's month and list views
    and the member's iCal feed).

    ``events(user, start, end)`` → an iterable of :class:`CalendarEvent` for the member behind
    ``user`` (an account, possibly staff too) whose day falls in ``[start, end)`` (dates, local
    time). It returns only what reaches that member as a member (their cell's meetings, the
    sessions and quizzes whose audience holds them, the feedback they handle) through the scope
    engine, never what staff rights alone would show, and it must cost a bounded number of
    queries whatever the number of events (one, typically): the month page's budget is 8 in all.
    """

    key: str
    label: str
    events: Callable[..., Any]
    order: int = 100


@dataclass(frozen=True)
class OfflineItem:
    """One thing a member's phone keeps for reading offline (issue 18), as its source lists it.

    ``local_id`` names it within its source (letters, digits, ``-`` and ``_``; the offline
    plugin prefixes the source's key); ``url`` is the member page to keep; ``files`` the
    addresses of its files (served after the same scope check); ``version`` changes whenever
    what the phone keeps should be fetched again (a new revision, a replaced file, a revoked
    card); ``stands_for`` are pages that, with no network, show this one instead (the QR page
    shows the printed card's code, which never expires).
    """

    local_id: str
    title: str
    url: str
    kind: str = ""
    files: tuple[str, ...] = ()
    version: str = ""
    stands_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfflineSource:
    """What a module lets a member keep for reading offline (``Registry.add_offline_source``).

    ``items(user)`` → a list of :class:`OfflineItem`, only what the scope engine lets the user
    read now, bounded (a phone keeps tens of items, not the library), in a few queries;
    ``visible(user, local_ids)`` → the subset of ``local_ids`` (strings, possibly junk or made up)
    that the user may still read: the phone deletes the rest from its cache when it is back
    online. Both go through ``orgtree.scope``; neither re-implements it.
    """

    key: str
    label: str
    items: Callable[[Any], list]
    visible: Callable[[Any, list], set]
    order: int = 100


@dataclass
class Registry:
    capabilities: dict[str, Capability] = field(default_factory=dict)
    roles: dict[str, BuiltinRole] = field(default_factory=dict)
    role_grants: dict[str, set[str]] = field(default_factory=dict)
    shell_tabs: dict[str, ShellTab] = field(default_factory=dict)
    home_cards: dict[str, HomeCard] = field(default_factory=dict)
    statistics: dict[str, StatisticsProvider] = field(default_factory=dict)
    searchable: dict[str, SearchableKind] = field(default_factory=dict)
    scoped_pages: dict[str, ScopedPageType] = field(default_factory=dict)
    api_routes: list[ApiRoute] = field(default_factory=list)
    api_paths: list[ApiPath] = field(default_factory=list)
    notice_kinds: dict[str, NoticeKind] = field(default_factory=dict)
    demo_seeders: dict[str, DemoSeeder] = field(default_factory=dict)
    #: ``fn(user) -> orgtree.scope.Subject | None``: who the user is as a member. Set by the
    #: members plugin; the scope engine asks it so that orgtree never imports members.
    subject_resolver: Callable[[Any], Any] | None = None
    #: Who a scanned QR names (:class:`CredentialResolver`). Set by the members plugin with
    #: :meth:`set_credential_resolver`; used by the attendance plugin's check-in.
    credential_resolver: CredentialResolver | None = None
    #: ``fn(user) -> cell id | None``: the cell of the member record behind an account, whatever
    #: the member's status (None: a staff-only account). Set by the members plugin; the roles
    #: screen asks it to keep accounts outside the giver's scope unnamed.
    account_cell_resolver: Callable[[Any], Any] | None = None
    rolls: dict[str, Roll] = field(default_factory=dict)
    point_rules: dict[str, PointRule] = field(default_factory=dict)
    calendar_sources: dict[str, CalendarSource] = field(default_factory=dict)
    spoken_kinds: dict[str, SpokenKind] = field(default_factory=dict)
    offline_sources: dict[str, OfflineSource] = field(default_factory=dict)

    @staticmethod
    def _put(table, key, value, what):
        if key in table and table[key] != value:
            raise ValueError(f"{what} '{key}' is registered twice")
        table[key] = value

    def add_role(self, code, name, description="", needs_body=False, capabilities=()):
        """Declare a built-in role: the plugin whose work it is defines it (the editorial board
        in editorial, the cell secretary in orgtree), so no layer names a later layer's roles.

        ``name`` and ``description`` are Vietnamese (lazy) strings shown to administrators;
        ``needs_body``: the role is held for one advisory body of the unit (1–2 holders each).
        ``capabilities``: codes declared by a layer below that the role bundles too (e.g.
        orgtree's ``admin.access`` and ``orgtree.view_org``); the plugin's own capabilities name
        their roles in ``add_capability``. ``orgtree.roles.sync_builtin_roles`` writes every
        declared role, with what it bundles, to the Role table after each migrate; a capability
        bundled into a role no enabled plugin declares is given to nobody.
        """
        self._put(
            self.roles, code, BuiltinRole(code, name, description, needs_body), "built-in role"
        )
        self.role_grants.setdefault(code, set()).update(capabilities)

    def add_capability(self, code, label, description="", roles=()):
        """Declare a capability and bundle it into the named built-in roles (``add_role``)."""
        self._put(self.capabilities, code, Capability(code, label, description), "capability")
        for role in roles:
            self.role_grants.setdefault(role, set()).add(code)

    def add_shell_tab(self, tab: ShellTab):
        self._put(self.shell_tabs, tab.key, tab, "shell tab")

    def add_home_card(self, card: HomeCard):
        self._put(self.home_cards, card.key, card, "home card")

    def add_statistic(self, provider: StatisticsProvider):
        self._put(self.statistics, provider.key, provider, "statistic")

    def add_searchable(self, kind: SearchableKind):
        # The key travels in URLs (``search:open``, the API's ``kind`` filter) and in the index:
        # lower-case letters, digits and "_", in dot-separated parts ("study.resolution").
        if not SEARCHABLE_KEY.fullmatch(kind.key):
            raise ValueError(
                f"searchable kind key {kind.key!r} does not match {SEARCHABLE_KEY.pattern}"
            )
        self._put(self.searchable, kind.key, kind, "searchable kind")

    def add_scoped_page(self, kind: ScopedPageType):
        self._put(self.scoped_pages, kind.key, kind, "scoped page type")

    def scoped_page_type(self, page_or_class):
        """The registered ``ScopedPageType`` of a page (or page class), or None."""
        cls = page_or_class if isinstance(page_or_class, type) else type(page_or_class)
        for kind in self.scoped_pages.values():
            if issubclass(cls, kind.model):
                return kind
        return None

    def add_api_route(self, prefix, viewset, basename):
        if any(route.prefix == prefix for route in self.api_routes):
            raise ValueError(f"API route '{prefix}' is registered twice")
        self.api_routes.append(ApiRoute(prefix, viewset, basename))

    def add_api_path(self, route, view, name):
        if any(p.route == route for p in self.api_paths):
            raise ValueError(f"API path '{route}' is registered twice")
        self.api_paths.append(ApiPath(route, view, name))

    def add_notice_kind(self, kind: NoticeKind):
        self._put(self.notice_kinds, kind.key, kind, "notice kind")

    def add_demo_seeder(self, seeder: DemoSeeder):
        self._put(self.demo_seeders, seeder.key, seeder, "demo seeder")

    def set_credential_resolver(self, resolver: CredentialResolver):
        """Publish how credentials are resolved; refused unless it has the declared interface."""
        if not isinstance(resolver, CredentialResolver):
            raise TypeError(f"{resolver!r} does not implement CredentialResolver")
        self.credential_resolver = resolver

    def add_roll(self, roll: Roll):
        self._put(self.rolls, roll.key, roll, "roll")

    def add_point_rule(self, rule: PointRule):
        """Declare what a member earns points for (:class:`PointRule`)."""
        self._put(self.point_rules, rule.key, rule, "point rule")

    def ordered_statistics(self):
        return sorted(self.statistics.values(), key=lambda p: (p.order, p.key))

    def add_calendar_source(self, source: CalendarSource):
        """Add what a module shows in members' calendars (:class:`CalendarSource`)."""
        self._put(self.calendar_sources, source.key, source, "calendar source")

    def ordered_calendar_sources(self):
        return sorted(self.calendar_sources.values(), key=lambda source: (source.order, source.key))

    def add_spoken_kind(self, kind: SpokenKind):
        """Declare a page type whose published pages get a server-made audio version."""
        self._put(self.spoken_kinds, kind.key, kind, "spoken kind")

    def spoken_kind(self, page_or_class):
        """The registered ``SpokenKind`` of a page (or page class), or None."""
        cls = page_or_class if isinstance(page_or_class, type) else type(page_or_class)
        for kind in self.spoken_kinds.values():
            if issubclass(cls, kind.model):
                return kind
        return None

    def ordered_spoken_kinds(self):
        return sorted(self.spoken_kinds.values(), key=lambda kind: (kind.order, kind.key))

    def add_offline_source(self, source: OfflineSource):
        """Declare what members may keep for reading offline (:class:`OfflineSource`)."""
        if not source.key.replace("_", "").isalnum() or not source.key.islower():
            raise ValueError(f"offline source '{source.key}': a lowercase word is expected")
        self._put(self.offline_sources, source.key, source, "offline source")

    def ordered_offline_sources(self):
        return sorted(self.offline_sources.values(), key=lambda source: (source.order, source.key))

    def ordered_point_rules(self):
        return sorted(self.point_rules.values(), key=lambda rule: (rule.order, rule.key))

    def ordered_demo_seeders(self):
        return sorted(self.demo_seeders.values(), key=lambda seeder: (seeder.order, seeder.key))

    def ordered_tabs(self):
        return sorted(self.shell_tabs.values(), key=lambda tab: (tab.order, tab.key))

    def ordered_cards(self):
        return sorted(self.home_cards.values(), key=lambda card: (card.order, card.key))


registry = Registry()
