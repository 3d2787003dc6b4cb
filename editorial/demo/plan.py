"""The plan: what to write, computed from the units alone (pure for a seed and a day)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.utils import timezone

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind, Position
from sotay_plugins.orgtree.models import AdvisoryBody, Organisation

from ..choices import DocumentKind, LinkKind, NewsCategory
from .texts import (
    ABBREV,
    AUTHOR_FAMILY,
    AUTHOR_GIVEN,
    BODY_KINDS,
    BODY_PREFIX,
    DOC_SHARE,
    KIND_WEIGHTS,
    LEVELS,
    NEWS_LEADS,
    NEWS_PARAGRAPHS,
    NEWS_QUOTES,
    NEWS_SHARE,
    NEWS_SOURCES,
    NEWS_TITLES,
    SCALES,
    SUMMARY,
    TOPICS,
    K,
)


def _rng(name):
    """A reproducible generator per purpose (demo data, not secrets)."""
    return random.Random(name)  # noqa: S311


# --- the plan: what to write, computed from the units alone (pure for a seed and a day) ----------


@dataclass
class DocSpec:
    level: str
    org: Organisation
    kind: str
    body: AdvisoryBody | None
    issued_on: date
    published_at: datetime
    topic: str
    title: str = ""
    summary: str = ""
    number: str = ""
    audience: Organisation | None = None
    positions: frozenset = frozenset()
    groups: frozenset = frozenset()
    links: list = field(default_factory=list)  # (LinkKind, DocSpec)
    page_id: int | None = None


@dataclass
class NewsSpec:
    level: str
    org: Organisation
    category: str
    title: str
    lead: str
    body: list
    author: str
    source: str
    featured: bool
    published_at: datetime
    audience: Organisation
    page_id: int | None = None


@dataclass
class Units:
    """The province's units that publish, read from the database once."""

    province: Organisation
    districts: list
    bases: list
    children: dict  # org id → its direct sub-units (active, not cells for the province/districts)
    bodies: dict  # org id → {AdvisoryKind: AdvisoryBody}

    @classmethod
    def load(cls, base_sections, rng):
        orgs = list(
            Organisation.objects.filter(is_active=True)
            .exclude(kind=OrgKind.CELL)
            .order_by("tree_id", "lft")
        )
        province = next((o for o in orgs if o.kind == OrgKind.PROVINCE), None)
        if province is None:
            return None
        orgs = [o for o in orgs if o.tree_id == province.tree_id]
        children = {}
        for org in orgs:
            children.setdefault(org.parent_id, []).append(org)
        cells = Organisation.objects.filter(
            scope.within(province), kind=OrgKind.CELL, is_active=True
        ).order_by("lft")
        for cell in cells.only("id", "parent_id", "name", "lft", "rght", "tree_id", "kind", "code"):
            children.setdefault(cell.parent_id, []).append(cell)
        districts = [o for o in orgs if o.kind == OrgKind.DISTRICT]
        bases = [o for o in orgs if o.kind == OrgKind.BASE]
        bases = sorted(
            rng.sample(bases, min(base_sections, len(bases))), key=lambda o: (o.lft, o.pk)
        )
        bodies = {}
        for body in AdvisoryBody.objects.filter(
            org__in=[province, *districts], is_active=True
        ).order_by("pk"):
            bodies.setdefault(body.org_id, {}).setdefault(body.kind, body)
        return cls(province, districts, bases, children, bodies)

    def level_orgs(self, level):
        return {"province": [self.province], "district": self.districts, "base": self.bases}[level]


def committee_name(org):
    return org.short_name or org.name


def committee_suffix(org):
    """ "TU" for the provincial committee, "HU" / "ThU" / "ĐUK" / "ĐU" below it."""
    short = org.short_name or org.name
    if org.kind == OrgKind.PROVINCE:
        return "TU"
    if short.startswith("Huyện ủy"):
        return "HU"
    if short.startswith("Thành ủy") or short.startswith("Thị ủy"):
        return "ThU"
    if short.startswith("Đảng ủy Khối"):
        return "ĐUK"
    return "ĐU"


def fmt_date(day):
    return f"{day:%d/%m/%Y}"


def _day_back(rng, today, span):
    """A day within ``span`` days before today, recent days likelier."""
    return today - timedelta(days=int(span * rng.random() ** 1.6))


def _published(rng, day, now):
    at = timezone.make_aware(datetime.combine(day, dtime(rng.randint(7, 16), rng.randint(0, 59))))
    return min(at, now - timedelta(minutes=rng.randint(1, 30)))


def _fill(text, *, org, rng, year, place="", sub=""):
    return text.format(
        committee=committee_name(org),
        org=org.name,
        year=year,
        next_year=year + 1,
        n=rng.randint(5, 30),
        month=rng.randint(1, 12),
        place=place,
        sub=sub or org.name,
        day=f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}",
    )


def _topic(rng, year):
    return rng.choice(TOPICS).format(year=year, n=year - 1930)


def _pick(rng, weighted):
    items = list(weighted.items()) if isinstance(weighted, dict) else weighted
    return rng.choices([k for k, _w in items], weights=[w for _k, w in items])[0]


def _split(total, shares):
    counts = {level: int(round(total * share)) for level, share in shares.items()}
    counts["base"] += total - sum(counts.values())
    return counts


def plan_documents(units, cfg, rng, today, now):
    specs = []
    counts = _split(cfg["documents"], DOC_SHARE)
    provincial_targets = []
    for level in LEVELS:
        orgs = units.level_orgs(level)
        if not orgs:
            continue
        level_specs = []
        for i in range(counts[level]):
            org = orgs[i % len(orgs)] if i < len(orgs) else rng.choice(orgs)  # every unit gets some
            kind = _pick(rng, KIND_WEIGHTS[level])
            issued = _day_back(rng, today, cfg["days"])
            if (
                level == "province" and i == 0
            ):  # at least one resolution that district plans implement
                kind, issued = (
                    K.RESOLUTION,
                    today - timedelta(days=rng.randint(30, max(31, cfg["days"] // 2))),
                )
            force_link = level == "district" and i < len(orgs)
            if force_link:
                kind = K.PLAN
            body = None
            bodies = units.bodies.get(org.pk, {})
            if kind in BODY_KINDS and bodies:
                wanted = _pick(rng, BODY_KINDS[kind])
                body = bodies.get(wanted) if wanted else None
            spec = DocSpec(
                level,
                org,
                kind,
                body,
                issued,
                _published(rng, issued + timedelta(days=rng.randint(0, 3)), now),
                _topic(rng, issued.year),
            )
            spec.audience = org
            subs = [
                c
                for c in units.children.get(org.pk, [])
                if c.kind != OrgKind.CELL or level == "base"
            ]
            if subs and rng.random() < 0.1:
                spec.audience = rng.choice(subs)
            if kind == K.GUIDANCE and rng.random() < 0.25:
                spec.positions = frozenset(
                    {Position.BI_THU_CHI_BO, Position.PHO_BI_THU_CHI_BO, Position.CHI_UY_VIEN}
                )
            elif rng.random() < 0.01:
                spec.groups = frozenset({MemberGroup.RETIRED})
            # a plan below the province implementing a provincial resolution or directive
            if (
                level != "province"
                and kind == K.PLAN
                and provincial_targets
                and (force_link or rng.random() < 0.5)
            ):
                target = rng.choice(provincial_targets)
                if target.issued_on + timedelta(days=7) <= today:
                    spec.issued_on = min(
                        today, target.issued_on + timedelta(days=rng.randint(7, 60))
                    )
                    spec.published_at = _published(rng, spec.issued_on, now)
                    spec.topic = target.topic
                    spec.links.append((LinkKind.IMPLEMENTS, target))
            level_specs.append(spec)
        _number(level_specs, rng)
        for spec in level_specs:
            _texts(spec, rng)
        if level == "province":
            provincial_targets = [
                s for s in level_specs if s.kind in (K.RESOLUTION, K.DIRECTIVE, K.CONCLUSION)
            ]
            regulations = sorted(
                (s for s in level_specs if s.kind == K.REGULATION), key=lambda s: s.issued_on
            )
            for older, newer in zip(regulations, regulations[1:], strict=False):
                if rng.random() < 0.15 and older.issued_on < newer.issued_on:
                    newer.links.append((LinkKind.REPLACES, older))
        specs.extend(level_specs)
    return specs


def _number(specs, rng):
    """Numbers run per issuer (committee or advisory body), kind and year, in date order."""
    series = {}
    for spec in sorted(specs, key=lambda s: (s.issued_on, s.published_at)):
        key = (spec.org.pk, spec.body.pk if spec.body else None, spec.kind, spec.issued_on.year)
        step = rng.randint(1, 12) if spec.kind in (K.DISPATCH, K.NOTICE) else rng.randint(1, 2)
        series[key] = series.get(key, rng.randint(0, 5)) + step
        suffix = committee_suffix(spec.org)
        if spec.body is not None:
            suffix = BODY_PREFIX.get(spec.body.kind, "") + suffix
        spec.number = f"{series[key]:02d}-{ABBREV[spec.kind]}/{suffix}"


def _texts(spec, rng):
    label = DocumentKind(spec.kind).label
    issuer = spec.body.name if spec.body else committee_name(spec.org)
    links = [target for kind, target in spec.links if kind == LinkKind.IMPLEMENTS]
    if links:
        target = links[0]
        spec.title = (
            f"Kế hoạch thực hiện {DocumentKind(target.kind).label} số {target.number} ngày "
            f"{fmt_date(target.issued_on)} của {committee_name(target.org)} {target.topic}"
        )
    else:
        spec.title = f"{label} {spec.topic}"
    spec.title = spec.title[:250]
    spec.summary = SUMMARY[spec.kind].format(
        committee=committee_name(spec.org), issuer=issuer, topic=spec.topic
    )
    if spec.positions:
        spec.summary += " Dành cho bí thư, phó bí thư và chi ủy viên các chi bộ."


def plan_news(units, cfg, rng, today, now):
    specs = []
    counts = _split(cfg["news"], NEWS_SHARE)
    categories = {
        NewsCategory.LEADERSHIP: 30,
        NewsCategory.CURRENT: 30,
        NewsCategory.INTERNATIONAL: 8,
        NewsCategory.USEFUL: 14,
        NewsCategory.BULLETIN: 18,
    }
    for level in LEVELS:
        orgs = units.level_orgs(level)
        if not orgs:
            continue
        for i in range(counts[level]):
            org = orgs[i % len(orgs)] if i < len(orgs) else rng.choice(orgs)
            category = _pick(rng, categories)
            if level != "province" and category == NewsCategory.INTERNATIONAL:
                category = NewsCategory.CURRENT
            day = _day_back(rng, today, min(cfg["days"], 365))
            subs = [c for c in units.children.get(org.pk, []) if c.kind != OrgKind.CELL] or [org]
            sub = rng.choice(subs)
            place = sub.name.replace("Đảng bộ ", "")
            title = _fill(
                rng.choice(NEWS_TITLES[category]),
                org=org,
                rng=rng,
                year=day.year,
                place=place,
                sub=sub.name,
            )
            title = title[:1].upper() + title[1:]
            lead = _fill(
                rng.choice(NEWS_LEADS[category]), org=org, rng=rng, year=day.year, place=place
            )
            paragraphs = rng.sample(NEWS_PARAGRAPHS, rng.randint(3, 5))
            body = []
            for j, text in enumerate(paragraphs):
                if j == 2 and rng.random() < 0.4:
                    quote, attribution = rng.choice(NEWS_QUOTES)
                    body.append(
                        {"type": "quote", "value": {"text": quote, "attribution": attribution}}
                    )
                if j == 1 and rng.random() < 0.3:
                    body.append({"type": "heading", "value": "Nhiều kết quả nổi bật"})
                body.append({"type": "paragraph", "value": f"<p>{text}</p>"})
            for block in body:
                block["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            own = category in (NewsCategory.BULLETIN, NewsCategory.LEADERSHIP) or rng.random() < 0.4
            author = f"{rng.choice(AUTHOR_FAMILY)} {rng.choice(AUTHOR_GIVEN)}"
            source = f"Ban Tuyên giáo {committee_name(org)}" if own else rng.choice(NEWS_SOURCES)
            audience = sub if sub is not org and rng.random() < 0.1 else org
            specs.append(
                NewsSpec(
                    level,
                    org,
                    category,
                    title[:250],
                    lead,
                    body,
                    author,
                    source,
                    featured=rng.random() < 0.08,
                    published_at=_published(rng, day, now),
                    audience=audience,
                )
            )
    if specs and not any(s.featured for s in specs):
        specs[0].featured = True
    return specs


def plan(scale, seed, units=None):
    """(document specs, news specs) for ``scale`` and ``seed``: the same for the same units and
    day."""
    cfg = SCALES[scale]
    rng = _rng(f"editorial-demo-{seed}")
    units = units or Units.load(cfg["base_sections"], rng)
    if units is None:
        return [], []
    today, now = timezone.localdate(), timezone.now()
    documents = plan_documents(units, cfg, _rng(f"documents-{seed}"), today, now)
    news = plan_news(units, cfg, _rng(f"news-{seed}"), today, now)
    return documents, news
