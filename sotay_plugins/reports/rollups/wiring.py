from django.utils.translation import gettext_lazy as _


def register(registry):
    """Registers what the rollups part adds: the right to read reports (bundled into the viewer
    and the cell secretary; full administrators hold every right), the API paths and the demo."""
    from sotay_plugins.orgtree.roles import CELL_SECRETARY, VIEWER
    from sotay_plugins.registry import DemoSeeder

    from . import api, demo
    from .services import VIEW_REPORTS

    registry.add_capability(
        VIEW_REPORTS,
        _("Xem báo cáo, thống kê của các đơn vị trực thuộc"),
        roles=[VIEWER, CELL_SECRETARY],
    )
    registry.add_api_path("reports/dashboard/", api.DashboardView, "reports-dashboard")
    registry.add_api_path("reports/readers/", api.ReadersView, "reports-readers")
    registry.add_api_path("reports/documents/", api.DocumentsView, "reports-documents")
    # After every module's demo data: the roll-ups of the demo's year.
    registry.add_demo_seeder(DemoSeeder("reports.rollups", demo.seed, order=900))
