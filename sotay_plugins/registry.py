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
- API routes and paths: viewsets and plain views mounted under /api/v1/;
- notice kinds: the notifications a plugin can send;
- demo seeders: the demo data a plugin adds to ``seed_demo``'s province.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


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
    """A tab of the member shell's bottom bar. ``url_name`` is reversed without arguments."""

    key: str
    label: str
    url_name: str
    icon: str = "•"
    order: int = 100


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


@dataclass(frozen=True)
class StatisticsProvider:
    """A figure the reports module can show per organisation: ``compute(orgs)`` → {org_id: value}."""

    key: str
    label: str
    compute: Callable[[Any], dict]


@dataclass(frozen=True)
class SearchableKind:
    """A kind of item the member search finds (``search.engine``).

    ``model`` is scoped (it declares a ScopeSpec: results go through ``scope.visible_to``);
    ``folded_field`` holds its folded text (``sotay_plugins.text.fold``); ``queryset`` (optional)
    narrows the candidates (e.g. live pages only); ``date_field`` orders hits newest first;
    ``url`` (optional) maps an object to the member page that shows it.
    """

    key: str
    label: str
    model: Any
    title_field: str = "title"
    folded_field: str = "search_folded"
    date_field: str = ""
    queryset: Callable[[], Any] | None = None
    url: Callable[[Any], str] | None = None
    order: int = 100


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
    key: str
    label: str


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


@dataclass
class Registry:
    capabilities: dict[str, Capability] = field(default_factory=dict)
    roles: dict[str, BuiltinRole] = field(default_factory=dict)
    role_grants: dict[str, set[str]] = field(default_factory=dict)
    shell_tabs: dict[str, ShellTab] = field(default_factory=dict)
    home_cards: dict[str, HomeCard] = field(default_factory=dict)
    statistics: dict[str, StatisticsProvider] = field(default_factory=dict)
    searchable: dict[str, SearchableKind] = field(default_factory=dict)
    api_routes: list[ApiRoute] = field(default_factory=list)
    api_paths: list[ApiPath] = field(default_factory=list)
    notice_kinds: dict[str, NoticeKind] = field(default_factory=dict)
    demo_seeders: dict[str, DemoSeeder] = field(default_factory=dict)
    #: ``fn(user) -> orgtree.scope.Subject | None``: who the user is as a member. Set by the
    #: members plugin; the scope engine asks it so that orgtree never imports members.
    subject_resolver: Callable[[Any], Any] | None = None
    #: ``fn(*, token=None, cccd_qr=None) -> (member_id, method)``: who a scanned QR names
    #: (a member's signed card/app token, or the chip citizen-ID card's QR text). Raises
    #: ValidationError with a Vietnamese message. Set by the members plugin; used by check-in.
    credential_resolver: Callable[..., Any] | None = None
    #: ``fn(user) -> cell id | None``: the cell of the member record behind an account, whatever
    #: the member's status (None: a staff-only account). Set by the members plugin; the roles
    #: screen asks it to keep accounts outside the giver's scope unnamed.
    account_cell_resolver: Callable[[Any], Any] | None = None

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
        self._put(self.searchable, kind.key, kind, "searchable kind")

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

    def ordered_demo_seeders(self):
        return sorted(self.demo_seeders.values(), key=lambda seeder: (seeder.order, seeder.key))

    def ordered_tabs(self):
        return sorted(self.shell_tabs.values(), key=lambda tab: (tab.order, tab.key))

    def ordered_cards(self):
        return sorted(self.home_cards.values(), key=lambda card: (card.order, card.key))


registry = Registry()
