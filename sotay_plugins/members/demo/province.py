"""The demo province that ``seed_demo --scale tiny|small|province [--seed N] [--manifest FILE]``
builds (CONTRACT.md): units, advisory bodies, members, accounts and roles, deterministic for a
seed. Other plugins add theirs afterwards through the ``DemoSeeder`` extension point.

Writes in bulk with precomputed nested-set fields under the tree lock, so the province scale
(13 district-level units, 700 base organisations, 5,000 cells, 110,000 members) stays within
minutes. Every account shares the demo password, hashed once.
"""

import json
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import connection, transaction

from sotay_plugins.orgtree.choices import AdvisoryKind, OrgKind, Position
from sotay_plugins.orgtree.locks import tree_lock
from sotay_plugins.orgtree.models import AdvisoryBody, Organisation, Role, RoleAssignment
from sotay_plugins.orgtree.roles import sync_builtin_roles
from sotay_plugins.registry import registry

from ..cccd import PROVINCE_CODES, make_cccd
from ..models import Member, MembershipKind
from . import names as D

DEMO_PASSWORD = "Sotay@2026"
SUPERUSER = "quantri"

#: districts, bases per district, cells per base, members per cell (mean)
SCALES = {
    "tiny": dict(districts=2, bases=2, cells=2, members=7.5, subs_every=0),
    "small": dict(districts=4, bases=7, cells=6, members=12, subs_every=5),
    "province": dict(
        districts=13, bases=700 / 13, cells=5000 / 700, members=110000 / 5000, subs_every=9
    ),
}
GROUP_WEIGHTS = [
    ("official", 30),
    ("hamlet", 38),
    ("retired", 12),
    ("enterprise", 6),
    ("exempt", 5),
    ("far_away", 5),
    ("temp_transfer", 2),
    ("student", 2),
]


@dataclass
class Node:
    name: str
    short_name: str
    code: str
    kind: str
    children: list = field(default_factory=list)
    members: int = 0
    obj: Organisation | None = None


class ProvinceSeeder:
    """Builds the demo province; ``seed_demo`` runs it and passes its output streams."""

    def __init__(self, stdout, style):
        self.stdout = stdout
        self.style = style

    def run(self, *, scale, seed, manifest=None, if_empty=False):
        if Organisation.objects.exists():
            if if_empty:
                self.stdout.write("Cơ sở dữ liệu đã có dữ liệu; không tạo thêm dữ liệu mẫu.")
                return
            raise CommandError(
                "Cơ sở dữ liệu đã có dữ liệu: seed_demo chỉ chạy trên cơ sở dữ liệu trống."
            )
        started = time.monotonic()
        self.rng = random.Random(seed)
        self.password_hash = make_password(DEMO_PASSWORD)
        sync_builtin_roles()
        with tree_lock():
            root = self.build_tree(SCALES[scale])
            orgs = self.save_tree(root)
            bodies = self.create_bodies(orgs)
            members = self.create_members(orgs)
            roles = self.create_staff(orgs, bodies, members)
        self.analyze()
        elapsed = time.monotonic() - started
        cells = sum(1 for o in orgs if o.kind == OrgKind.CELL)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo {len(orgs)} tổ chức ({cells} chi bộ), {len(members)} đảng viên, "
                f"{len(roles)} phân quyền trong {elapsed:.1f} giây."
            )
        )
        timings = [("orgtree/members", elapsed)]
        for seeder in registry.ordered_demo_seeders():  # other plugins' demo data (news…)
            began = time.monotonic()
            seeder.seed(scale=scale, seed=seed, stdout=self.stdout)
            timings.append((seeder.key, time.monotonic() - began))
        # One line with what each part took, so a slow seeder shows itself (bench_seed.sh).
        self.stdout.write(
            "Thời gian (giây): " + ", ".join(f"{key} {spent:.1f}" for key, spent in timings)
        )
        self.stdout.write(f"Mật khẩu mọi tài khoản mẫu: {DEMO_PASSWORD}; quản trị: {SUPERUSER}")
        if manifest:
            self.write_manifest(manifest, orgs, members, roles)

    def analyze(self):
        """Refresh PostgreSQL's planner statistics for the tables just filled in bulk.

        Without them (autovacuum off, or not yet run) the planner guesses row counts and can pick
        sequential scans for the range queries the scope engine issues.
        """
        if connection.vendor != "postgresql":
            return
        tables = [
            m._meta.db_table
            for m in (Organisation, AdvisoryBody, Member, RoleAssignment, get_user_model())
        ]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")  # noqa: S608 (table names from models)

    # --- the tree --------------------------------------------------------------------------
    def count(self, mean):
        """An integer around ``mean`` whose long-run average is ``mean``."""
        low = int(mean)
        return low + (1 if self.rng.random() < mean - low else 0)

    def build_tree(self, s):
        name, short, code = D.PROVINCE
        root = Node(name, short, code, OrgKind.PROVINCE)
        commune_pool = list(D.COMMUNES)
        for d_index in range(s["districts"]):
            d_name, d_short, geographic = D.DISTRICTS[d_index % len(D.DISTRICTS)]
            district = Node(d_name, d_short, f"{code}.{d_index + 1:02d}", OrgKind.DISTRICT)
            root.children.append(district)
            for b_index in range(max(1, self.count(s["bases"]))):
                place = (
                    self.rng.choice(commune_pool)
                    if geographic
                    else D.AGENCIES[b_index % len(D.AGENCIES)]
                )
                b_name = f"Đảng bộ xã {place}" if geographic else f"Đảng bộ {place}"
                base = Node(
                    b_name,
                    b_name.replace("Đảng bộ", "Đảng ủy"),
                    f"{district.code}.{b_index + 1:03d}",
                    OrgKind.BASE,
                )
                district.children.append(base)
                n_cells = max(1, self.count(s["cells"]))
                parents = [base]
                if (
                    s["subs_every"]
                    and b_index % s["subs_every"] == s["subs_every"] - 1
                    and n_cells >= 4
                ):
                    parents = []
                    for sub_index in range(2):
                        sub = Node(
                            f"Đảng bộ bộ phận số {sub_index + 1} ({place})",
                            "",
                            f"{base.code}.{sub_index + 1}",
                            OrgKind.SUB,
                        )
                        base.children.append(sub)
                        parents.append(sub)
                for c_index in range(n_cells):
                    parent = parents[c_index % len(parents)]
                    hamlet = f"{self.rng.choice(D.HAMLET_PREFIX)} {self.rng.choice(D.HAMLETS)}"
                    c_name = f"Chi bộ {hamlet}" if geographic else f"Chi bộ {c_index + 1} — {place}"
                    cell = Node(
                        c_name, "", f"{parent.code}.{len(parent.children) + 1:02d}", OrgKind.CELL
                    )
                    cell.members = max(3, self.count(s["members"]) + self.rng.randint(-3, 3))
                    parent.children.append(cell)
        return root

    def save_tree(self, root):
        tree_id = (
            Organisation.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0
        ) + 1
        counter = [0]

        def number(node, level):
            counter[0] += 1
            node.lft, node.level = counter[0], level
            for child in node.children:
                number(child, level + 1)
            counter[0] += 1
            node.rght = counter[0]

        number(root, 0)
        saved, level_nodes = [], [(root, None)]
        founded = date(1945, 9, 2)
        while level_nodes:
            objs = [
                Organisation(
                    name=n.name,
                    short_name=n.short_name,
                    code=n.code,
                    kind=n.kind,
                    parent=p.obj if p else None,
                    tree_id=tree_id,
                    lft=n.lft,
                    rght=n.rght,
                    level=n.level,
                    founded_on=founded,
                )
                for n, p in level_nodes
            ]
            Organisation.objects.bulk_create(objs, batch_size=2000)
            for (n, _p), obj in zip(level_nodes, objs, strict=True):
                n.obj = obj
                saved.append(obj)
            level_nodes = [(c, n) for n, _p in level_nodes for c in n.children]
        self.cells = []

        def collect(node):
            if node.kind == OrgKind.CELL:
                self.cells.append(node)
            for child in node.children:
                collect(child)

        collect(root)
        self.root = root
        return saved

    def create_bodies(self, orgs):
        kinds = [AdvisoryKind.TUYEN_GIAO, AdvisoryKind.TO_CHUC, AdvisoryKind.VAN_PHONG]
        bodies = []
        for org in orgs:
            if org.kind == OrgKind.PROVINCE:
                wanted = [*kinds, AdvisoryKind.KIEM_TRA, AdvisoryKind.DAN_VAN]
            elif org.kind == OrgKind.DISTRICT:
                wanted = kinds
            else:
                continue
            committee = org.short_name or org.name
            for kind in wanted:
                label = AdvisoryKind(kind).label
                name = (
                    f"Văn phòng {committee}"
                    if kind == AdvisoryKind.VAN_PHONG
                    else f"{label} {committee}"
                )
                bodies.append(AdvisoryBody(org=org, kind=kind, name=name))
        return AdvisoryBody.objects.bulk_create(bodies)

    # --- members ---------------------------------------------------------------------------
    def person(self):
        rng = self.rng
        gender = "male" if rng.random() < 0.62 else "female"
        family = rng.choices([f for f, _w in D.FAMILY], weights=[w for _f, w in D.FAMILY])[0]
        middle = rng.choice(D.MIDDLE_MALE if gender == "male" else D.MIDDLE_FEMALE)
        given = rng.choice(D.GIVEN_MALE if gender == "male" else D.GIVEN_FEMALE)
        year = rng.choices(
            range(1940, 2005),
            weights=[1 + (y > 1955) * 2 + (y > 1965) * 2 for y in range(1940, 2005)],
        )[0]
        birth = date(year, rng.randint(1, 12), rng.randint(1, 28))
        return gender, f"{family} {middle} {given}", birth

    def create_members(self, orgs):
        User = get_user_model()
        rng = self.rng
        used_cccd = set()
        serials = {}
        rows = []  # (user, member)
        provinces = list(PROVINCE_CODES)
        for cell in self.cells:
            ancestors = self.ancestors_of(cell)
            district = next((a for a in ancestors if a.kind == OrgKind.DISTRICT), None)
            base = next((a for a in ancestors if a.kind == OrgKind.BASE), cell)
            district_part = district.code.rsplit(".", 1)[-1] if district else "00"
            prefix = f"{district_part}.{base.code.rsplit('.', 1)[-1]}."
            for index in range(cell.members):
                gender, name, birth = self.person()
                province = "034" if rng.random() < 0.9 else rng.choice(provinces)
                while True:
                    cccd = make_cccd(province, birth, gender, rng.randint(0, 999999))
                    if cccd not in used_cccd:
                        used_cccd.add(cccd)
                        break
                serials[prefix] = serials.get(prefix, 0) + 1
                positions = (
                    [Position.BI_THU_CHI_BO]
                    if index == 0
                    else (
                        [Position.PHO_BI_THU_CHI_BO]
                        if index == 1 and cell.members >= 9
                        else [Position.CHI_UY_VIEN]
                        if index in (1, 2)
                        else [Position.DANG_VIEN]
                    )
                )
                group = (
                    "official"
                    if index < 2
                    else rng.choices(
                        [g for g, _w in GROUP_WEIGHTS], weights=[w for _g, w in GROUP_WEIGHTS]
                    )[0]
                )
                joined = birth + timedelta(days=365 * rng.randint(18, 40) + rng.randint(0, 364))
                joined = min(joined, date(2025, 6, 1))
                probationary = rng.random() < 0.06 and index > 2
                village = rng.choice(D.HAMLETS)
                commune = rng.choice(D.COMMUNES)
                rows.append(
                    (
                        User(username=cccd, password=self.password_hash, is_active=True),
                        Member(
                            party_record_no=f"{prefix}{serials[prefix]:06d}",
                            full_name=name,
                            birth_date=birth,
                            gender=gender,
                            cccd=cccd,
                            home_town=f"Xã {rng.choice(D.COMMUNES)}, tỉnh Thái Bình",
                            permanent_address=f"Thôn {village}, xã {commune}, tỉnh Thái Bình",
                            phone=f"09{rng.randint(10000000, 99999999)}",
                            party_card_no=f"{rng.randint(10000000, 99999999)}",
                            membership=MembershipKind.PROBATIONARY
                            if probationary
                            else MembershipKind.OFFICIAL,
                            cell=cell.obj,
                            positions=frozenset(positions),
                            group=group,
                            has_smartphone=rng.random() < (0.6 if birth.year < 1955 else 0.93),
                            joined_on=joined,
                            official_on=None if probationary else joined + timedelta(days=365),
                            status="exempt" if group == "exempt" else "active",
                        ),
                    )
                )
        with transaction.atomic():
            for start in range(0, len(rows), 5000):
                chunk = rows[start : start + 5000]
                users = User.objects.bulk_create([u for u, _m in chunk])
                for user, (_u, member) in zip(users, chunk, strict=True):
                    member.user = user
                Member.objects.bulk_create([m for _u, m in chunk])
        return [m for _u, m in rows]

    def ancestors_of(self, cell):
        path = []

        def walk(node, trail):
            if node is cell:
                path.extend(trail)
                return True
            return any(walk(child, [*trail, node]) for child in node.children)

        if not hasattr(self, "_parents"):
            self._parents = {}

            def index(node, parent):
                self._parents[id(node)] = parent
                for child in node.children:
                    index(child, node)

            index(self.root, None)
        node = self._parents[id(cell)]
        while node is not None:
            path.append(node)
            node = self._parents[id(node)]
        return path

    # --- staff and roles -------------------------------------------------------------------
    def create_staff(self, orgs, bodies, members):
        User = get_user_model()
        roles = {r.code: r for r in Role.objects.filter(code__in=list(registry.roles))}
        province = orgs[0]
        superuser = User.objects.create_superuser(SUPERUSER, password=None, email="")
        superuser.password = self.password_hash
        superuser.first_name, superuser.last_name = "Quản trị", "hệ thống"
        superuser.save(update_fields=["password", "first_name", "last_name"])
        assignments = []

        def staff_user(username, first, last):
            return User(
                username=username,
                password=self.password_hash,
                first_name=first,
                last_name=last,
                is_active=True,
            )

        plan = [
            (staff_user("vanphong.tinh", "Văn phòng", "Tỉnh ủy"), "full_admin", province, None),
            (staff_user("xem.tinh", "Cán bộ", "theo dõi"), "viewer", province, None),
            (staff_user("bbt.tinh", "Ban Biên tập", "Tỉnh ủy"), "editorial_board", province, None),
            (staff_user("btv.tinh", "Biên tập viên", "Tỉnh ủy"), "news_editor", province, None),
            (
                staff_user("capnhat.tinh", "Ban Tổ chức", "Tỉnh ủy"),
                "member_updater",
                province,
                None,
            ),
        ]
        by_org = {}
        for body in bodies:
            by_org.setdefault(body.org_id, []).append(body)
        for org in orgs:
            if org.kind != OrgKind.DISTRICT:
                continue
            seg = org.code.rsplit(".", 1)[-1]
            plan.append(
                (
                    staff_user(f"capnhat.{seg}", "Cập nhật", org.short_name),
                    "member_updater",
                    org,
                    None,
                )
            )
            plan.append(
                (
                    staff_user(f"bbt.{seg}", "Ban Biên tập", org.short_name),
                    "editorial_board",
                    org,
                    None,
                )
            )
            plan.append(
                (
                    staff_user(f"btv.{seg}", "Biên tập viên", org.short_name),
                    "news_editor",
                    org,
                    None,
                )
            )
        for body in bodies:
            org = next(o for o in orgs if o.pk == body.org_id)
            if body.kind == AdvisoryKind.TUYEN_GIAO:
                seg = "tinh" if org.kind == OrgKind.PROVINCE else org.code.rsplit(".", 1)[-1]
                for n in (1, 2):
                    plan.append(
                        (
                            staff_user(f"vanban.{seg}.{n}", "Cập nhật văn bản", body.name),
                            "document_uploader",
                            org,
                            body,
                        )
                    )
        # a role no enabled plugin declares (editorial switched off) gets no demo account
        plan = [entry for entry in plan if entry[1] in roles]
        User.objects.bulk_create([user for user, *_ in plan])
        for user, role, org, body in plan:
            assignments.append(
                RoleAssignment(user=user, role=roles[role], org=org, advisory_body=body)
            )
        for member in members:
            if (
                Position.BI_THU_CHI_BO in member.positions
                or Position.PHO_BI_THU_CHI_BO in member.positions
            ):
                assignments.append(
                    RoleAssignment(user=member.user, role=roles["cell_secretary"], org=member.cell)
                )
        RoleAssignment.objects.bulk_create(assignments, batch_size=5000)
        return assignments

    # --- manifest --------------------------------------------------------------------------
    def write_manifest(self, path, orgs, members, roles):
        data = {
            "password": DEMO_PASSWORD,
            "orgs": [
                {"id": o.pk, "code": o.code, "name": o.name, "kind": o.kind, "parent": o.parent_id}
                for o in orgs
            ],
            "members": [
                {
                    "username": m.cccd,
                    "full_name": m.full_name,
                    "birth_date": m.birth_date.isoformat(),
                    "gender": m.gender,
                    "cell": m.cell_id,
                    "positions": sorted(m.positions),
                    "group": m.group,
                    "status": m.status,
                }
                for m in members
            ],
            "roles": [
                {
                    "username": r.user.username,
                    "role": r.role.code,
                    "org": r.org_id,
                    **({"advisory_body": r.advisory_body_id} if r.advisory_body_id else {}),
                }
                for r in roles
            ],
            "superuser": {"username": SUPERUSER, "password": DEMO_PASSWORD},
        }
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
        self.stdout.write(f"Đã ghi manifest: {path}")
